package dev.keyway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The harness on a fresh in-memory H2 database: whole walks, failures, ctx.db(), dry runs. */
class MigrationHarnessTest {

    private static final int ROWS = 1_234;
    private static final MigrateOne INCREMENT = (ctx, doc) ->
            ctx.newObject().put("counter", doc.get("counter").asInt() + 1);

    private MigrationHarness db;

    @BeforeEach
    void items() throws SQLException {
        db = MigrationHarness.h2();
        db.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, counter INT NOT NULL DEFAULT 0)",
                "INSERT INTO items (id) SELECT * FROM SYSTEM_RANGE(1, " + ROWS + ")",
                "CREATE TABLE audit (id BIGINT AUTO_INCREMENT PRIMARY KEY, item BIGINT NOT NULL)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private long itemsNotAt(int counter) throws SQLException {
        return db.queryLong("SELECT COUNT(*) FROM items WHERE counter <> " + counter);
    }

    @Test
    void everyRowEndsAtOneBatchByBatchThroughTheLedger() throws SQLException {
        RunResult result = db.runToCompletion(Migration.define("count", "items", INCREMENT).withBatchSize(100))
                .assertSucceeded();

        assertEquals(0, itemsNotAt(1));
        assertEquals(ROWS, result.rowsProcessed());
        assertEquals(ROWS, result.rowsPatched());
        assertEquals(13, result.batches(), "12 full batches and one of 34 rows");
        assertEquals(13, db.queryLong("SELECT COUNT(*) FROM keyway_ledger WHERE migration = 'count'"),
                "every batch recorded in the ledger, as a worker records it");
        assertEquals(1, db.queryLong("SELECT COUNT(*) FROM keyway_fence WHERE migration = 'count' AND state = 'done'"));
    }

    @Test
    void segmentsAndParallelCallsStillApplyEveryRowOnce() throws SQLException {
        RunResult result = db.runToCompletion(Migration.define("count", "items", INCREMENT).withBatchSize(50)
                .withSegments(4).withParallelize(true)).assertSucceeded();

        assertEquals(0, itemsNotAt(1));
        assertEquals(ROWS, result.rowsProcessed());
        assertEquals(4, db.queryLong("SELECT COUNT(*) FROM keyway_fence WHERE migration = 'count' AND state = 'done'"));
    }

    @Test
    void runningAgainIsANewRunFromTheStart() throws SQLException {
        Migration count = Migration.define("count", "items", INCREMENT);
        db.runToCompletion(count).assertSucceeded();
        db.runToCompletion(count).assertSucceeded();

        assertEquals(0, itemsNotAt(2));
    }

    @Test
    void aNullResultChangesNothingAndIsNotCountedAsAPatch() throws SQLException {
        RunResult result = db.runToCompletion(Migration.define("evens", "items", (ctx, doc) ->
                doc.get("id").asLong() % 2 == 0 ? INCREMENT.migrateOne(ctx, doc) : null)).assertSucceeded();

        assertEquals(ROWS, result.rowsProcessed());
        assertEquals(ROWS / 2, result.rowsPatched());
        assertEquals(ROWS / 2, db.queryLong("SELECT COUNT(*) FROM items WHERE counter = 1 AND MOD(id, 2) = 0"));
        assertEquals(ROWS / 2, db.queryLong("SELECT COUNT(*) FROM items WHERE counter = 0"));
    }

    @Test
    void aMigrateOneThatThrowsStopsTheRunNamingTheDocumentAndItsBatchRollsBack() throws SQLException {
        Migration failing = Migration.define("failing", "items", (ctx, doc) -> {
            ctx.db().insert("audit", ctx.newObject().put("item", doc.get("id").asLong()));
            if (doc.get("id").asLong() == 157) {
                throw new IllegalStateException("no price for this item");
            }
            return INCREMENT.migrateOne(ctx, doc);
        }).withBatchSize(50);

        RunResult result = db.runToCompletion(failing);

        assertFalse(result.succeeded());
        assertEquals("157", result.failedDocumentId());
        assertTrue(result.error().contains("id=157") && result.error().contains("no price for this item")
                && result.error().contains("rolled back"), result.error());
        assertEquals(150, result.rowsProcessed(), "the three batches before the failing one committed");
        assertEquals(3, result.batches());
        assertEquals(150, db.queryLong("SELECT COUNT(*) FROM items WHERE counter = 1 AND id <= 150"));
        assertEquals(ROWS - 150, db.queryLong("SELECT COUNT(*) FROM items WHERE counter = 0"));
        assertEquals(150, db.queryLong("SELECT COUNT(*) FROM audit"),
                "ctx.db() writes of the failing batch rolled back with it");
        AssertionError thrown = assertThrows(AssertionError.class, result::assertSucceeded);
        assertTrue(thrown.getMessage().contains("failing") && thrown.getMessage().contains("157")
                && thrown.getMessage().contains("no price for this item"), thrown.getMessage());
    }

    @Test
    void ctxDbReadsAndWritesInTheBatchTransaction() throws SQLException {
        RunResult result = db.runToCompletion(Migration.define("audited", "items", (ctx, doc) -> {
            long id = doc.get("id").asLong();
            ctx.db().insert("audit", ctx.newObject().put("item", id));
            boolean seen = ctx.db().query("audit").eq("item", ctx.newObject().put("v", id).get("v")).first().isPresent();
            return seen ? INCREMENT.migrateOne(ctx, doc) : null;
        })).assertSucceeded();

        assertEquals(ROWS, result.rowsPatched(), "each insert is visible to the query after it, in the same transaction");
        assertEquals(0, itemsNotAt(1));
        assertEquals(ROWS, db.queryLong("SELECT COUNT(*) FROM audit"));
    }

    @Test
    void aMigrateOneThatOutlivesTheBatchDeadlineFailsNamingTheDocument() throws SQLException {
        RunResult result = db.withBatchDeadline(Duration.ofMillis(300))
                .runToCompletion(Migration.define("slow", "items", (ctx, doc) -> {
                    if (doc.get("id").asLong() == 42) {
                        Thread.sleep(10_000);
                    }
                    return INCREMENT.migrateOne(ctx, doc);
                }));

        assertEquals("42", result.failedDocumentId());
        assertTrue(result.error().contains("batch deadline of 300 ms"), result.error());
        assertEquals(ROWS, db.queryLong("SELECT COUNT(*) FROM items WHERE counter = 0"));
    }

    @Test
    void aMissingTableFailsSayingWhich() {
        RunResult result = db.runToCompletion(Migration.define("lost", "no_such_table", INCREMENT));

        assertFalse(result.succeeded());
        assertNull(result.failedDocumentId());
        assertTrue(result.error().contains("no_such_table"), result.error());
    }

    @Test
    void aDryRunShowsTheFirstBatchsChangesAndLeavesTheTableAsItWas() throws SQLException {
        DryRunResult dry = db.dryRun(Migration.define("count", "items", INCREMENT).withBatchSize(10));

        assertNull(dry.error());
        assertEquals(10, dry.rowsProcessed());
        assertEquals(10, dry.changes().size());
        DryRunResult.Change first = dry.changes().get(0);
        assertEquals("1", first.id());
        assertEquals(0, first.before().get("counter").asInt());
        assertEquals(1, first.after().get("counter").asInt());
        assertEquals(ROWS, db.queryLong("SELECT COUNT(*) FROM items WHERE counter = 0"));
        assertEquals(0, db.queryLong("SELECT COUNT(*) FROM keyway_ledger"));
    }

    @Test
    void aBatchDeadlineMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> db.withBatchDeadline(Duration.ZERO));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }
}
