package dev.keyway.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.message.TaskLocation;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.FakeStore;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.RunFence;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.StoreException;
import dev.keyway.store.SliceProgress;
import dev.keyway.store.StatementTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** What happens to a batch, against an in-memory store: the fence, the ledger, the deadline, errors. */
class BatchProcessorTest {

    private static final MigrateOne INCREMENT = (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
    private static final TaskLocation FROM = new TaskLocation("tasks", 3, 42);

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
        return new ProcessBatch(new BatchKey("m", run, 0, cursor), null, 10, false);
    }

    private void openFence(String run, String position) {
        store.fence("m", 0, new SegmentFence(run, position, null, 10, SegmentFence.State.OPEN));
    }

    private long rowsAt(int counter) {
        return store.rows().stream().filter(r -> r.get("counter").asInt() == counter).count();
    }

    @Test
    void appliesTheBatchTheFenceAllowsAndMovesTheFenceWithTheLedger() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        Event.BatchCompleted first = assertInstanceOf(Event.BatchCompleted.class, p.process(task("r1", null), FROM));
        assertEquals("[10]", first.nextCursor());
        assertEquals(10, first.processed());
        assertFalse(first.done());
        assertEquals("[10]", store.fence("m", 0).position());
        assertEquals(10, rowsAt(1));

        p.process(task("r1", "[10]"), FROM);
        Event.BatchCompleted last = assertInstanceOf(Event.BatchCompleted.class, p.process(task("r1", "[20]"), FROM));
        assertTrue(last.done());
        assertEquals(SegmentFence.State.DONE, store.fence("m", 0).state());
        assertEquals(25, rowsAt(1));
    }

    @Test
    void aTaskPlannedOverOtherRowsThanTheWorkersDefinitionFailsNamingBothAndAppliesNothing() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        Event.BatchFailed f = assertInstanceOf(Event.BatchFailed.class,
                p.process(task("r1", null).withWalk("items_v2"), FROM));
        assertTrue(f.error().contains("walks items, but the coordinator planned it over items_v2")
                && f.error().contains("deploy the same jar"), f.error());
        assertEquals(0, rowsAt(1));
        assertInstanceOf(Event.BatchCompleted.class, p.process(task("r1", null).withWalk("items"), FROM),
                "the same walk goes through");
        assertEquals(10, rowsAt(1));
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
        assertEquals(1, store.commits());
    }

    @Test
    void theFenceRefusesAnotherRunAClosedRunAndACursorTheSegmentIsNotAt() {
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        assertInstanceOf(Event.BatchSkipped.class, p.process(task("r1", null), FROM), "no fence at all");
        openFence("r2", null);
        Event.BatchSkipped other = assertInstanceOf(Event.BatchSkipped.class, p.process(task("r1", null), FROM));
        assertTrue(other.reason().contains("not the current run"), other.reason());
        assertInstanceOf(Event.BatchSkipped.class, p.process(task("r2", "[5]"), FROM));
        assertInstanceOf(Event.BatchSkipped.class, p.process(new ProcessBatch(new BatchKey("m", "r2", 0, null), "[99]",
                10, false), FROM));
        store.fence("m", 0, new SegmentFence("r2", null, null, 10, SegmentFence.State.CLOSED));
        assertInstanceOf(Event.BatchSkipped.class, p.process(task("r2", null), FROM));
        assertEquals(0, rowsAt(1));
        assertEquals(0, store.commits());
    }

    @Test
    void aTaskOfABatchSizeAConfigureChangedSinceStillAppliesOnceWithItsOwnSize() {
        // issue 16: configure handed every segment a task again, and the ledger replayed the batches of the one out
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        Event.BatchCompleted done = assertInstanceOf(Event.BatchCompleted.class,
                p.process(new ProcessBatch(new BatchKey("m", "r1", 0, null), null, 5, false), FROM));
        assertEquals(5, done.processed(), "the fence's batch size is 10; the task's own 5 go");
        assertEquals(5, rowsAt(1));
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
        assertEquals(null, store.fence("m", 0).position(), "the fence stays at the failed batch");
    }

    @Test
    void aValueTheDatabaseRefusesFailsTheBatchNamingTheDocumentAndIsNotRetried() {
        openFence("r1", null);
        store.refuseValue("not-a-uuid");
        BatchProcessor p = processor(Migration.define("m", "items", (ctx, doc) -> INCREMENT.migrateOne(ctx, doc)
                .put("token", doc.get("id").asLong() == 6 ? "not-a-uuid" : "00000000-0000-0000-0000-000000000000")));
        Event.BatchFailed f = assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
        assertEquals("6", f.documentId());
        assertTrue(f.error().contains("document id=6") && f.error().contains("not-a-uuid"), f.error());
        assertEquals(0, rowsAt(1), "the batch rolled back");
        assertEquals(0, store.commits());
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
        assertEquals(1, store.abandoned());
        assertEquals(0, store.commits());
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
        store.failReadsWith(() -> broken("column \"counter\" does not exist"));
        assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
    }

    @Test
    void aFailureThatCameAfterTheKafkaTransactionWasGoneIsTheAnswerToTheTasksRedelivery() {
        // issue 15, 11: a statement past the transaction's timeout failed, its batchFailed could not commit, the task
        // came back and failed as late again, for ever
        AtomicLong clock = new AtomicLong();
        BatchProcessor p = new BatchProcessor(store, MigrationCatalog.of(List.of(Migration.define("m", "items", INCREMENT))),
                new MigrateOneCalls(calls, Duration.ofMillis(500)), BatchObserver.none(), "w1", clock::get);
        openFence("r1", null);
        AtomicInteger reads = new AtomicInteger();
        store.failReadsWith(() -> {
            reads.incrementAndGet();
            clock.addAndGet(9_000_000_000L); // the statement ran 9 s, then timed out
            return new StatementTimeoutException("canceling statement due to statement timeout", null);
        });
        Event.BatchFailed late = assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
        assertEquals(late, p.process(task("r1", null), FROM), "the redelivery is answered at once");
        assertEquals(1, reads.get());

        TaskLocation replayedLater = new TaskLocation("tasks", 3, 43);
        assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), replayedLater));
        assertEquals(2, reads.get(), "another record is another task");
        clock.addAndGet(LateOutcomes.KEEP_NANOS + 1);
        assertInstanceOf(Event.BatchFailed.class, p.process(task("r1", null), FROM));
        assertEquals(3, reads.get(), "kept a minute, then run afresh (an operator's replay after a fix)");

        store.failReadsWith(() -> {
            reads.incrementAndGet();
            return new StatementTimeoutException("canceling statement due to statement timeout", null);
        });
        TaskLocation quick = new TaskLocation("tasks", 3, 44);
        p.process(task("r1", null), quick);
        p.process(task("r1", null), quick);
        assertEquals(5, reads.get(), "a failure in time got out: nothing to remember");

        // a slice whose first batch applied and whose second ran into the slow statement ends late with its progress
        AtomicInteger pages = new AtomicInteger();
        store.failReadsWith(() -> {
            if (pages.incrementAndGet() == 1) {
                return null;
            }
            reads.incrementAndGet();
            clock.addAndGet(9_000_000_000L);
            return new StatementTimeoutException("canceling statement due to statement timeout", null);
        });
        TaskLocation sliced = new TaskLocation("tasks", 3, 45);
        Event.BatchCompleted progress = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 5, 0), sliced));
        assertEquals(10, progress.processed());
        assertEquals(progress, p.process(slice(null, 5, 0), sliced), "the redelivery is answered with the same progress");
        assertEquals(6, reads.get());
        assertEquals(2, pages.get());
    }

    @Test
    void aDryRunRunsOnlyWhenItsOwnFenceRowIsOpenForItAndMovesNoFence() {
        // issue 15, 10: anyone who may write the tasks topic could run migrateOne over any range as a dry run
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        ProcessBatch dryRun = new ProcessBatch(new BatchKey("m", "dry-1", 0, null), null, 3, true);
        Event.BatchSkipped unasked = assertInstanceOf(Event.BatchSkipped.class, p.process(dryRun, FROM));
        assertTrue(unasked.reason().startsWith("dry run: no run of m"), unasked.reason());

        store.fence("m", RunFence.DRY_RUN, new SegmentFence("dry-1", null, null, 3, SegmentFence.State.OPEN));
        openFence("r1", "[50]");
        Event.BatchCompleted dry = assertInstanceOf(Event.BatchCompleted.class, p.process(dryRun, FROM));
        assertTrue(dry.dryRun());
        assertEquals(3, dry.changes().size());
        assertEquals(0, rowsAt(1));
        assertEquals("[50]", store.fence("m", 0).position(), "the run's fence is not the dry run's");
        assertEquals(null, store.fence("m", RunFence.DRY_RUN).position());

        assertInstanceOf(Event.BatchSkipped.class, p.process(new ProcessBatch(new BatchKey("m", "dry-1", 0, "[40]"),
                null, 3, true),
                FROM), "another range than the one asked for");
        assertInstanceOf(Event.BatchSkipped.class, p.process(new ProcessBatch(new BatchKey("m", "dry-2", 0, null),
                null, 3, true),
                FROM), "another dry run");
        store.fence("m", RunFence.DRY_RUN, new SegmentFence("dry-1", null, null, 3, SegmentFence.State.DONE));
        assertInstanceOf(Event.BatchSkipped.class, p.process(dryRun, FROM), "once reported, it does not run again");
    }

    @Test
    void aTaskWalksItsSliceBatchAfterBatchEachWithItsLedgerEntryAndReportsOnce() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        Event.BatchCompleted two = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 2, 0), FROM));
        assertEquals(null, two.key().cursor(), "the outcome is the task's");
        assertEquals("[20]", two.nextCursor());
        assertEquals(20, two.processed());
        assertEquals(2, store.commits(), "one transaction per batch");
        assertEquals(2, store.ledger().size());
        assertEquals(new SliceProgress("[20]", 20, false, 2), SliceProgress.of(store.followLedger(two.key(),
                two.nextCursor(), 100)).orElseThrow(),
                "what the coordinator reads back");
        Event.BatchCompleted rest = assertInstanceOf(Event.BatchCompleted.class, p.process(slice("[20]", 100, 0), FROM));
        assertTrue(rest.done(), "a slice ends with its segment");
        assertEquals(5, rest.processed());
        assertEquals(25, rowsAt(1));
    }

    @Test
    void aRedeliveredSliceReplaysWhatItAppliedAndGoesOnFromThere() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        p.process(slice(null, 1, 0), FROM); // as if the worker died before its outcome committed
        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 3, 0), FROM));
        assertFalse(again.replayed(), "two of its batches were new");
        assertTrue(again.done());
        assertEquals(25, again.processed());
        assertEquals(25, rowsAt(1));
        assertEquals(0, rowsAt(2));
    }

    @Test
    void aSliceStopsAtTheFirstBatchTheFenceRefusesAndReportsWhatWentThrough() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", (ctx, doc) -> {
            if (doc.get("id").asLong() == 15) { // the coordinator pauses the run while the second batch runs
                store.fence("m", 0, new SegmentFence("r1", "[10]", null, 10, SegmentFence.State.CLOSED));
            }
            return INCREMENT.migrateOne(ctx, doc);
        }));
        Event.BatchCompleted c = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 100, 0), FROM));
        assertEquals("[20]", c.nextCursor(), "the batch in flight finishes; none starts after it");
        assertEquals(20, rowsAt(1));
        assertInstanceOf(Event.BatchSkipped.class, p.process(slice("[20]", 100, 0), FROM));
    }

    @Test
    void aFailureAfterSomeBatchesReportsTheProgressAndTheNextTaskReportsTheFailure() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", (ctx, doc) -> {
            if (doc.get("id").asLong() == 14) {
                throw new IllegalStateException("bad row");
            }
            return INCREMENT.migrateOne(ctx, doc);
        }));
        Event.BatchCompleted c = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 100, 0), FROM));
        assertEquals("[10]", c.nextCursor());
        Event.BatchFailed f = assertInstanceOf(Event.BatchFailed.class, p.process(slice("[10]", 100, 0), FROM));
        assertEquals("14", f.documentId());
        assertEquals(10, rowsAt(1));
    }

    @Test
    void batchesSizedByATimeTargetShrinkWhenSlowAndAreRetriedSmallerAtALockTimeout() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", (ctx, doc) -> {
            Thread.sleep(5);
            return INCREMENT.migrateOne(ctx, doc);
        }));
        // batch size 10 takes ~50 ms, the target is 20 ms: the next batches are about 4 rows
        Event.BatchCompleted c = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 3, 20), FROM));
        List<Integer> sizes = store.ledger().values().stream().map(e -> e.processed()).sorted().toList();
        assertEquals(10, sizes.get(2), sizes.toString());
        assertTrue(sizes.get(0) <= 5 && sizes.get(1) <= 5, "shrunk after the first: " + sizes);
        assertEquals(c.processed(), sizes.stream().mapToInt(Integer::intValue).sum());

        store.failReadsOver(2, () -> new LockTimeoutException("row locked", null));
        Event.BatchCompleted smaller = assertInstanceOf(Event.BatchCompleted.class,
                p.process(slice(c.nextCursor(), 1, 20000), FROM));
        assertTrue(smaller.processed() >= 1 && smaller.processed() <= 2, "retried at a quarter: " + smaller.processed());
        Event.BatchDelayed fixed = assertInstanceOf(Event.BatchDelayed.class,
                p.process(slice(smaller.nextCursor(), 1, 0), FROM), "batches of a fixed size are not made smaller");
        assertEquals("row locked", fixed.reason());
    }

    @Test
    void aStatementTimeoutRetriesABatchSizedByTimeSmallerAndFailsAFixedOne() {
        openFence("r1", null);
        BatchProcessor p = processor(Migration.define("m", "items", INCREMENT));
        store.failReadsOver(2, () -> new StatementTimeoutException("canceling statement due to statement timeout", null));
        Event.BatchCompleted smaller = assertInstanceOf(Event.BatchCompleted.class, p.process(slice(null, 1, 20000), FROM));
        assertEquals(2, smaller.processed(), "10 rows timed out, a quarter of them went through");
        Event.BatchFailed fixed = assertInstanceOf(Event.BatchFailed.class, p.process(slice("[2]", 1, 0), FROM));
        assertTrue(fixed.error().contains("statement timeout"), fixed.error());
        assertEquals(2, rowsAt(1));
    }

    private static ProcessBatch slice(String cursor, int batches, int targetMillis) {
        return new ProcessBatch(new BatchKey("m", "r1", 0, cursor), null, 10, false, new Lease(batches, targetMillis));
    }

    /** A store error that needs a fix, for tests that check it ends a batch. */
    private static StoreException broken(String message) {
        return new StoreException(message, null);
    }
}
