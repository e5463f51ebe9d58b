package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Segments are planned (rows counted, split points sampled) away from the coordinator's Kafka
 * transaction: a table the application keeps locked delays its own migration only.
 */
class PlanningIT {

    private static final MigrateOne INCREMENT = TestMigrations.PLUS_ONE;

    private TestDatabase db;
    private Sql sql;
    private ServiceHarness harness;

    @BeforeEach
    void freshDatabase() throws Exception {
        db = TestDatabase.postgres();
        sql = new Sql(Sql.options(db));
        sql.items(1_000);
        sql.exec("CREATE TABLE \"others\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0)",
                "INSERT INTO \"others\" (\"id\") SELECT g FROM generate_series(1, 1000) g");
        harness = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                MigrationCatalog.of(List.of(Migration.define("locked", "items", INCREMENT).withSegments(2),
                        Migration.define("free", "others", INCREMENT).withSegments(2))), 1);
    }

    @AfterEach
    void stop() {
        harness.close();
        db.close();
    }

    @Test
    void aTableTheApplicationKeepsLockedDelaysOnlyItsOwnMigration() throws Exception {
        long since = System.currentTimeMillis();
        try (Connection app = sql.connect(); Statement st = app.createStatement()) {
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
        assertEquals(0, sql.itemsNotAt(1));
        assertEquals(0, sql.count("SELECT COUNT(*) FROM \"others\" WHERE \"counter\" <> 1"));
    }
}
