package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.HealthLimits;
import dev.keyway.coordinator.HealthSignal;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.MariaDbServers;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import dev.keyway.store.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real PostgreSQL streaming standby ({@code bin/ensure-standby}: port 5433) with its replay paused, or a real
 * MariaDB replica ({@code bin/ensure-mariadb-replica}: port 3307) with its SQL thread stopped, makes real replication
 * lag: the migration pauses itself with the reason in its status, resumes on its own once the replica applies again
 * and catches up, and finishes with every row applied once. On MariaDB the coordinator reads the replica that
 * {@code REPLICA_JDBC_URLS} names ({@code StoreOptions.withReplicaUrls}): MariaDB's primary does not know its lag.
 */
class ReplicaLagIT {

    private static final String STANDBY_URL = System.getenv().getOrDefault("TEST_STANDBY_JDBC_URL",
            "jdbc:postgresql://localhost:5433/postgres");
    private static final int ROWS = 20_000;
    private static final long MAX_LAG = 256 * 1024;
    private static final Migration COUNT = Migration.define("lagging", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(200).withSegments(1);

    private boolean mariadb;
    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);

    /** This test's database, of its kind: the first call of every test. */
    private void open(TestDatabase.Kind kind) throws Exception {
        items.open(kind);
        mariadb = kind == TestDatabase.Kind.MARIADB;
    }

    /** Lets the replica apply what it receives, or stops it: the standby's replay, the MariaDB replica's SQL thread. */
    private void replay(boolean on) throws SQLException {
        if (mariadb) {
            // stopping and starting a replica's threads needs REPLICATION SLAVE ADMIN: the administrator's
            try (Connection admin = MariaDbServers.asAdmin(MariaDbServers.replicaUrl());
                 Statement st = admin.createStatement()) {
                st.execute(on ? "START SLAVE SQL_THREAD" : "STOP SLAVE SQL_THREAD");
            }
            return;
        }
        try (Connection standby = DriverManager.getConnection(STANDBY_URL, "postgres", "postgres");
             Statement st = standby.createStatement()) {
            st.execute(on ? "SELECT pg_wal_replay_resume()" : "SELECT pg_wal_replay_pause()");
        } catch (SQLException e) {
            throw new SQLException("no standby at " + STANDBY_URL + " (" + e.getMessage() + "): run bin/ensure-standby,"
                    + " or set TEST_STANDBY_JDBC_URL", e);
        }
    }

    @AfterEach
    void replayAgain() throws SQLException {
        replay(true);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aMigrationPausesItselfWhileAStandbyLagsAndResumesOnItsOwnWhenItCatchesUp(TestDatabase.Kind database) throws Exception {
        open(database);
        ServiceHarness harness = items.services(0, COUNT);
        harness.stopCoordinators();
        Store watching = Store.open(mariadb ? items.options().withReplicaUrls(List.of(MariaDbServers.replicaUrl()))
                : items.options());
        try {
            harness.startCoordinator(harness.catalog(), HealthLimits.none().with(HealthSignal.replicaLag(MAX_LAG)),
                    watching);
            harness.startWorker();
            pausesWhileTheReplicaLagsAndResumes(harness);
        } finally {
            harness.stopCoordinators();
            watching.close();
        }
    }

    private void pausesWhileTheReplicaLagsAndResumes(ServiceHarness harness) throws Exception {
        replay(false);

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("lagging")
                // slow enough that the watch, reading once a second, sees the lag before the last row
                .withLimits(new Limits(4_000))));
        MigrationStatus throttled = harness.client().awaitStatus(s -> s.name().equals("lagging")
                && s.state() == MigrationState.PAUSED, ServiceHarness.TIMEOUT);
        // paused by a lag read past twice its limit, not by a lag that could not be read
        assertTrue(throttled.pace().throttledBy() != null
                && throttled.pace().throttledBy().startsWith("paused: replica lag (bytes) ")
                && throttled.pace().throttledBy().endsWith(" > " + 2 * MAX_LAG + " (twice its limit)"),
                String.valueOf(throttled.pace().throttledBy()));
        assertTrue(throttled.progress().processed() < ROWS,
                throttled.progress().processed() + " rows before the pause");

        replay(true);
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("lagging") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(null, done.pace().throttledBy());
        assertEquals(0, items.sql().itemsNotAt(1));
    }
}
