package dev.keyway.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.kafka.Inbound;
import dev.keyway.message.Event;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.metrics.BatchObserver;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.SegmentFence;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** What happens to a batch, against an in-memory store: the fence, the ledger, the deadline, errors. */
class BatchProcessorTest {

    private static final MigrateOne INCREMENT = (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
    private static final Inbound FROM = new Inbound("tasks", 3, 42, 0, "m/0", new byte[0]);

    private final FakeStore store = new FakeStore(25);
    private final Scheduler calls = Schedulers.newBoundedElastic(4, 100, "test-calls");

    @AfterEach
    void stop() {
        calls.dispose();
    }

    private BatchProcessor processor(Migration... migrations) {
        return new BatchProcessor(store, MigrationCatalog.of(List.of(migrations)),
                new MigrateOneCalls(calls, Duration.ofMillis(500)), BatchObserver.none(), "w1");
    }

    private static ProcessBatch task(String run, String cursor) {
        return new ProcessBatch("m", run, 0, cursor, null, 10, false);
    }

    private void openFence(String run, String position) {
        store.fence("m", 0, new SegmentFence(run, position, null, 10, SegmentFence.State.OPEN));
    }

    private long rowsAt(int counter) {
        return store.rows.values().stream().filter(r -> r.get("counter").asInt() == counter).count();
    }

    @Test
    void appliesTheBatchTheFenceAllowsAndMovesTheFenceWithTheLedger() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        Event.BatchCompleted first = assertInstanceOf(Event.BatchCompleted.class, p.process(task("r1", null), FROM));
        assertEquals("[10]", first.nextCursor());
        assertEquals(10, first.processed());
        assertFalse(first.done());
        assertEquals("[10]", store.fences.get("m/0").position());
        assertEquals(10, rowsAt(1));

        p.process(task("r1", "[10]"), FROM);
        Event.BatchCompleted last = assertInstanceOf(Event.BatchCompleted.class, p.process(task("r1", "[20]"), FROM));
        assertTrue(last.done());
        assertEquals(SegmentFence.State.DONE, store.fences.get("m/0").state());
        assertEquals(25, rowsAt(1));
    }

    @Test
    void aRedeliveredTaskIsAnsweredFromTheLedgerAndAppliesNothing() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        p.process(task("r1", null), FROM);
        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, p.process(task("r1", null), FROM));
        assertTrue(again.replayed());
        assertEquals("[10]", again.nextCursor());
        assertEquals(10, rowsAt(1));
        assertEquals(1, store.commits);
    }

    @Test
    void theFenceRefusesAnotherRunAClosedRunAndACursorTheSegmentIsNotAt() {
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        assertInstanceOf(Event.BatchSkipped.class, p.process(task("r1", null), FROM), "no fence at all");
        openFence("r2", null);
        Event.BatchSkipped other = assertInstanceOf(Event.BatchSkipped.class, p.process(task("r1", null), FROM));
        assertTrue(other.reason().contains("not the current run"), other.reason());
        assertInstanceOf(Event.BatchSkipped.class, p.process(task("r2", "[5]"), FROM));
        assertInstanceOf(Event.BatchSkipped.class, p.process(new ProcessBatch("m", "r2", 0, null, null, 5000, false), FROM));
        assertInstanceOf(Event.BatchSkipped.class, p.process(new ProcessBatch("m", "r2", 0, null, "[99]", 10, false), FROM));
        store.fence("m", 0, new SegmentFence("r2", null, null, 10, SegmentFence.State.CLOSED));
        assertInstanceOf(Event.BatchSkipped.class, p.process(task("r2", null), FROM));
        assertEquals(0, rowsAt(1));
        assertEquals(0, store.commits);
    }

    @Test
    void anErrorFromMigrateOneFailsTheBatchNamingTheDocument() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", (ctx, doc) -> {
            if (doc.get("id").asLong() == 4) {
                throw new AssertionError("not implemented");
            }
            return INCREMENT.migrateOne(ctx, doc);
        }).withParallelize(true));
        Event.BatchFailed f = assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
        assertEquals("4", f.documentId());
        assertTrue(f.error().contains("AssertionError: not implemented"), f.error());
        assertEquals(42, f.task().offset());
        assertEquals(0, rowsAt(1));
        assertEquals(null, store.fences.get("m/0").position(), "the fence stays at the failed batch");
    }

    @Test
    void aCallThatHangsFailsTheBatchAtTheDeadlineAndAbandonsItsTransaction() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", (ctx, doc) -> {
            if (doc.get("id").asLong() == 7) {
                Thread.sleep(60_000);
            }
            return INCREMENT.migrateOne(ctx, doc);
        }));
        Event.BatchFailed f = assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
        assertEquals("7", f.documentId());
        assertTrue(f.error().contains("batch deadline of 500 ms"), f.error());
        assertEquals(1, store.abandoned);
        assertEquals(0, store.commits);
    }

    @Test
    void aLockTimeoutDelaysTheBatchAndOtherRetriableErrorsAreThrown() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        store.failReadsWith(() -> new LockTimeoutException("row locked", null));
        Event.BatchDelayed d = assertInstanceOf(Event.BatchDelayed.class, p.process(task("r1", null), FROM));
        assertEquals("row locked", d.reason());
        store.failReadsWith(() -> new RetriableStoreException("connection lost", null));
        assertThrows(RetriableStoreException.class, () -> p.process(task("r1", null), FROM));
        store.failReadsWith(() -> FakeStore.broken("column \"counter\" does not exist"));
        assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
    }

    @Test
    void aDryRunNeitherChecksNorMovesTheFence() {
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        Event.BatchCompleted dry = assertInstanceOf(Event.BatchCompleted.class,
                p.process(new ProcessBatch("m", "dry-1", 0, null, null, 3, true), FROM));
        assertTrue(dry.dryRun());
        assertEquals(3, dry.changes().size());
        assertEquals(0, rowsAt(1));
        assertTrue(store.fences.isEmpty());
    }
}
