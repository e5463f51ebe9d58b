package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import dev.keyway.store.TableWalk;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coordinator's health signals as a database role without {@code pg_monitor}: PostgreSQL answers NULL, not
 * an error, for other roles' wait events and for the standbys' LSNs, and a signal that cannot be read must come
 * out unknown (a {@code StoreException} saying what to grant), never as 0. With {@code GRANT pg_monitor} the
 * same role reads numbers. Needs the streaming standby of {@code bin/ensure-standby}.
 */
class HealthPermissionsIT {

    private static final int ROWS = 4_000;
    private static final Migration COUNT = Migration.define("unwatched", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(200).withSegments(1);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    private final String role = "keyway_health_" + UUID.randomUUID().toString().substring(0, 8);
    private final String password = UUID.randomUUID().toString();

    @BeforeEach
    void createARoleWithoutPgMonitor() throws SQLException {
        items.sql().exec("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'",
                "GRANT USAGE, CREATE ON SCHEMA public TO " + role,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
        assertTrue(items.sql().count("SELECT COUNT(*) FROM pg_stat_replication") > 0,
                "no streaming standby: run bin/ensure-standby");
    }

    @AfterEach
    void dropTheRole() throws SQLException {
        items.sql().exec("DROP OWNED BY " + role, "DROP ROLE " + role);
    }

    private Store openAsRole() {
        StoreOptions admin = items.options();
        return Store.open(StoreOptions.of(admin.jdbcUrl(), role, password));
    }

    private void grantPgMonitor() throws SQLException {
        items.sql().exec("GRANT pg_monitor TO " + role);
    }

    @Test
    void withoutPgMonitorTheReplicaLagIsUnknownAndWithItANumber() throws Exception {
        try (Store store = openAsRole()) {
            StoreException e = assertThrows(StoreException.class, store::replicaLagBytes,
                    "the standby's LSNs are NULL to this role: the lag is unknown, not 0");
            assertTrue(e.getMessage().contains("grant pg_monitor"), e.getMessage());

            grantPgMonitor();
            long lag = store.replicaLagBytes();
            assertTrue(lag >= 0, "with pg_monitor: " + lag + " bytes");
        }
    }

    @Test
    void withoutPgMonitorAnApplicationWaitOnKeywayIsUnknownAndWithItANumber() throws Exception {
        try (Store store = openAsRole(); BatchTransaction tx = store.begin(new TableWalk("items", null))) {
            tx.readPage(null, null, 5); // Keyway's batch, as the role, locks rows 1-5
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> appUpdate(3));
            awaitAnApplicationWaitingOnALock();

            StoreException e = assertThrows(StoreException.class, store::lockWaitMillis,
                    "the waiting session is another role's: its wait is unknown to this role, not 0");
            assertTrue(e.getMessage().contains("grant pg_monitor"), e.getMessage());

            grantPgMonitor();
            long wait = store.lockWaitMillis();
            assertTrue(wait > 0, "with pg_monitor the application has waited " + wait + " ms");
            tx.commit();
            assertEquals(1, waiting.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aCoordinatorWithoutPgMonitorPausesOnTheUnknownLagSaysWhyAndGoesOnOnceGranted() throws Exception {
        ServiceHarness harness = items.services(0, COUNT);
        harness.stopCoordinators();
        harness.store().ensureBookkeeping();
        items.sql().exec("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
        try (Store store = openAsRole()) {
            harness.startCoordinator(harness.catalog(), HealthLimits.none().with(HealthSignal.replicaLag(256 * 1024)),
                    store);
            harness.startWorker();

            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("unwatched")
                    .withLimits(new Limits(1_000))));
            MigrationStatus paused = harness.client().awaitStatus(s -> s.name().equals("unwatched")
                    && s.state() == MigrationState.PAUSED, ServiceHarness.TIMEOUT);
            String why = String.valueOf(paused.pace().throttledBy());
            assertTrue(why.contains("replica lag (bytes) unknown") && why.contains("grant pg_monitor"), why);
            assertTrue(why.length() < 400, "bounded: " + why);

            grantPgMonitor();
            MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("unwatched")
                    && s.updatedAt() >= since && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
            assertEquals(ROWS, done.progress().processed());
            assertEquals(null, done.pace().throttledBy());
            assertEquals(0, items.sql().itemsNotAt(1));
        } finally {
            harness.stopCoordinators();
        }
    }

    private int appUpdate(int id) {
        try (Connection c = items.sql().connect(); Statement st = c.createStatement()) {
            return st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = " + id);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Until the superuser sees a session that is not Keyway's waiting for a lock, at most 10 s. */
    private void awaitAnApplicationWaitingOnALock() throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock' AND application_name <> '" + Store.APPLICATION_NAME + "'";
        while (items.sql().count(waiting) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the application's update never waited for Keyway's lock");
            }
        }
    }
}
