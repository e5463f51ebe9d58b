package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.migration.Migration;
import dev.keyway.testing.MigrationHarness;
import dev.keyway.testing.RunResult;
import org.junit.jupiter.api.Test;

/**
 * The test harness of keyway-testing on a real PostgreSQL database ({@link MigrationHarness#on}): segments split
 * by the store, every row at exactly 1, and a failure that names its document while the batches before it stay.
 */
class MigrationHarnessIT {

    private static final int ROWS = 2_000;

    @Test
    void onPostgresEveryRowEndsAtOneAndAFailureNamesItsDocument() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
             MigrationHarness harness = MigrationHarness.on(db.jdbcUrl(), db.user(), db.password())) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(ROWS);

            RunResult result = harness.runToCompletion(Migration.define("plusOne", "items", TestMigrations.PLUS_ONE)
                    .withBatchSize(150).withSegments(3)).assertSucceeded();

            assertEquals(ROWS, result.rowsProcessed());
            assertEquals(ROWS, result.rowsPatched());
            assertEquals(0, sql.itemsNotAt(1));
            assertEquals(3, sql.count("SELECT COUNT(*) FROM keyway_fence WHERE migration = 'plusOne' AND state = 'done'"));

            RunResult failed = harness.runToCompletion(Migration.define("poisoned", "items", (ctx, doc) -> {
                if (doc.get("id").asLong() == 777) {
                    throw new IllegalStateException("poisoned row");
                }
                return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
            }).withBatchSize(100));

            assertEquals("777", failed.failedDocumentId());
            assertTrue(failed.error().contains("poisoned row"), failed.error());
            assertEquals(700, failed.rowsProcessed());
            assertEquals(700, sql.count("SELECT COUNT(*) FROM items WHERE counter = 2"));
            assertEquals(ROWS - 700, sql.count("SELECT COUNT(*) FROM items WHERE counter = 1"),
                    "the failing batch rolled back, the ones after it never ran");
        }
    }
}
