package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.coordinator.CoordinatorThreads;
import dev.keyway.store.DbTimeouts;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Segments are planned (rows counted, split points sampled) away from the coordinator's Kafka
 * transaction: a table the application keeps locked delays its own migration only.
 */
class PlanningIT {

    private static final MigrateOne INCREMENT = TestMigrations.PLUS_ONE;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(1_000);
    private ServiceHarness harness;

    private static final List<String> LOCKED = List.of("locked1", "locked2", "locked3", "locked4");

    @BeforeEach
    void startServices() throws Exception {
        items.sql().exec("CREATE TABLE \"others\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0)",
                "INSERT INTO \"others\" (\"id\") SELECT g FROM generate_series(1, 1000) g");
        List<Migration> all = new ArrayList<>(List.of(Migration.define("locked", "items", INCREMENT).withSegments(2),
                Migration.define("free", "others", INCREMENT).withSegments(2)));
        for (String t : LOCKED) {
            items.sql().exec("CREATE TABLE \"" + t + "\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0)",
                    "INSERT INTO \"" + t + "\" (\"id\") SELECT g FROM generate_series(1, 100) g");
            all.add(Migration.define(t, t, INCREMENT).withSegments(2));
        }
        harness = items.services(1, all.toArray(Migration[]::new));
    }

    @Test
    void plansOfManyLockedTablesDoNotStarveTheHandlingOfCommandsAndOutcomes() throws Exception {
        // issue 15, 8: a coordinator as CoordinatorMain runs one (4 pool connections), whose plans wait 30 s on locks
        harness.stopCoordinators();
        try (Store own = Store.open(items.options().withPoolSize(StoreOptions.DEFAULT_POOL_SIZE)
                .withTimeouts(DbTimeouts.defaults().withLock(Duration.ofSeconds(30))))) {
            harness.startCoordinator(own, CoordinatorThreads.bounded());
            // planned before the locks; paced so that it still runs while the plans below wait
            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("free").withBatchSize(50)
                    .withLimits(new Limits(150))));
            harness.client().awaitStatus(s -> s.name().equals("free") && !s.progress().segments().isEmpty(),
                    ServiceHarness.TIMEOUT);
            try (Connection app = items.sql().connect(); Statement st = app.createStatement()) {
                app.setAutoCommit(false);
                st.execute("LOCK TABLE " + String.join(", ", LOCKED.stream().map(t -> "\"" + t + "\"").toList())
                        + " IN ACCESS EXCLUSIVE MODE");
                for (String t : LOCKED) {
                    assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of(t)));
                }
                long locked = System.nanoTime();
                MigrationStatus free = harness.client().awaitStatus(s -> s.name().equals("free")
                        && s.updatedAt() >= since && s.state() != MigrationState.IN_PROGRESS, ServiceHarness.TIMEOUT);
                long seconds = (System.nanoTime() - locked) / 1_000_000_000L;
                assertEquals(MigrationState.SUCCESS, free.state(), String.valueOf(free.failure().error()));
                assertTrue(seconds < 25, "the running migration waited " + seconds + " s for the plans of locked tables");
                for (String t : LOCKED) {
                    assertTrue(harness.status(t).progress().segments().isEmpty(), t + " is still planning");
                }
                app.commit();
            }
            for (String t : LOCKED) {
                MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals(t)
                        && s.state() != MigrationState.IN_PROGRESS, Duration.ofMinutes(3));
                assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
                assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"" + t + "\" WHERE \"counter\" <> 1"));
            }
            assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"others\" WHERE \"counter\" <> 1"));
            harness.stopCoordinators();
        }
    }

    @Test
    void aTableTheApplicationKeepsLockedDelaysOnlyItsOwnMigration() throws Exception {
        long since = System.currentTimeMillis();
        try (Connection app = items.sql().connect(); Statement st = app.createStatement()) {
            app.setAutoCommit(false);
            st.execute("LOCK TABLE \"items\" IN ACCESS EXCLUSIVE MODE");
            assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("locked")));

            MigrationStatus free = harness.runToEnd(Command.Run.of("free"));
            assertEquals(MigrationState.SUCCESS, free.state(), String.valueOf(free.failure().error()));
            MigrationStatus waiting = harness.status("locked");
            assertEquals(MigrationState.IN_PROGRESS, waiting.state());
            assertTrue(waiting.progress().segments().isEmpty(), "still planning: " + waiting);
            app.commit();
        }
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("locked") && s.updatedAt() >= since
                && s.state() != MigrationState.IN_PROGRESS, ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        assertEquals(2, done.progress().segments().size());
        assertEquals(0, items.sql().itemsNotAt(1));
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"others\" WHERE \"counter\" <> 1"));
    }
}
