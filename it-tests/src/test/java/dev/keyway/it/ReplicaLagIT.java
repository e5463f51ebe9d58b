package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.HealthLimits;
import dev.keyway.coordinator.HealthSignal;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real PostgreSQL streaming standby ({@code bin/ensure-standby}: port 5433) with its replay paused makes
 * real replication lag: the migration pauses itself with the reason in its status, resumes on its own once
 * replay goes on and the standby catches up, and finishes with every row applied once.
 */
class ReplicaLagIT {

    private static final String STANDBY_URL = System.getenv().getOrDefault("TEST_STANDBY_JDBC_URL",
            "jdbc:postgresql://localhost:5433/postgres");
    private static final int ROWS = 20_000;
    private static final long MAX_LAG = 256 * 1024;
    private static final Migration COUNT = Migration.define("lagging", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(200).withSegments(1);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    private static void replay(boolean on) throws SQLException {
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

    @Test
    void aMigrationPausesItselfWhileAStandbyLagsAndResumesOnItsOwnWhenItCatchesUp() throws Exception {
        ServiceHarness harness = items.services(0, COUNT);
        harness.stopCoordinators();
        harness.startCoordinator(harness.catalog(), HealthLimits.none().with(HealthSignal.replicaLag(MAX_LAG)));
        harness.startWorker();
        replay(false);

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("lagging")
                // slow enough that the watch, reading once a second, sees the lag before the last row
                .withLimits(new Limits(4_000))));
        MigrationStatus throttled = harness.client().awaitStatus(s -> s.name().equals("lagging")
                && s.state() == MigrationState.PAUSED, ServiceHarness.TIMEOUT);
        assertTrue(throttled.pace().throttledBy() != null && throttled.pace().throttledBy().contains("replica lag"),
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
