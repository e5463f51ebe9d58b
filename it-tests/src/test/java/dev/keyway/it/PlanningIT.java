package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import java.sql.Connection;
import java.sql.Statement;
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

    @BeforeEach
    void startServices() throws Exception {
        items.sql().exec("CREATE TABLE \"others\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0)",
                "INSERT INTO \"others\" (\"id\") SELECT g FROM generate_series(1, 1000) g");
        harness = items.services(1, Migration.define("locked", "items", INCREMENT).withSegments(2),
                Migration.define("free", "others", INCREMENT).withSegments(2));
    }

    @Test
    void aTableTheApplicationKeepsLockedDelaysOnlyItsOwnMigration() throws Exception {
        long since = System.currentTimeMillis();
        try (Connection app = items.sql().connect(); Statement st = app.createStatement()) {
            app.setAutoCommit(false);
            st.execute("LOCK TABLE \"items\" IN ACCESS EXCLUSIVE MODE");
            assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("locked")));

            MigrationStatus free = harness.runToEnd(Command.Run.of("free"));
            assertEquals(MigrationState.SUCCESS, free.state(), String.valueOf(free.error()));
            MigrationStatus waiting = harness.status("locked");
            assertEquals(MigrationState.IN_PROGRESS, waiting.state());
            assertTrue(waiting.segments().isEmpty(), "still planning: " + waiting);
            app.commit();
        }
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("locked") && s.updatedAt() >= since
                && s.state() != MigrationState.IN_PROGRESS, ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.error()));
        assertEquals(2, done.segments().size());
        assertEquals(0, items.sql().itemsNotAt(1));
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"others\" WHERE \"counter\" <> 1"));
    }
}
