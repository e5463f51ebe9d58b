package dev.keyway.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.SegmentFence;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A quarantining run's batches against the in-memory store: documents that throw (an exception, a
 * {@code StackOverflowError}), outlive the deadline, or whose write is refused are set aside in the batch's
 * transaction; every other row is applied once, and a replayed task sets nothing aside twice.
 */
class QuarantiningBatchTest extends FakeStoreBatches {


    /** counter := counter + 1, but 3 throws, 7 recurses forever, 12 returns a value the store refuses, 20 hangs. */
    private static final MigrateOne FLAKY = (ctx, doc) -> {
        long id = doc.get("id").asLong();
        if (id == 3) {
            throw new IllegalStateException("bad document 3");
        }
        if (id == 7) {
            return recurse(doc.get("counter").asInt());
        }
        if (id == 20) {
            try {
                new CountDownLatch(1).await(); // until the deadline interrupts it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ctx.newObject().put("counter", doc.get("counter").asInt() + 1)
                .put("note", id == 12 ? "refuse-me" : "ok");
    };

    private static com.fasterxml.jackson.databind.node.ObjectNode recurse(int n) {
        return recurse(n + 1);
    }

    private BatchProcessor processor(Migration m) {
        return processor(m, Duration.ofMillis(300));
    }

    private static ProcessBatch task(boolean quarantine) {
        return new ProcessBatch(new BatchKey("m", "r1", 0, null), null, 10, false, new Lease(10, 0), null)
                .withQuarantine(quarantine);
    }

    private long counter(long id) {
        return store.rows().get((int) id - 1).get("counter").asLong();
    }

    @ParameterizedTest(name = "parallelize={0}")
    @ValueSource(booleans = {false, true})
    void setsAsideEachFailingDocumentInTheBatchsTransactionAndAppliesEveryOtherOnceEvenWhenReplayed(boolean parallel) {
        store.fence("m", 0, new SegmentFence("r1", null, null, 10, SegmentFence.State.OPEN));
        store.refuseValue("refuse-me");
        BatchProcessor p = processor(Migration.define("m", "items", FLAKY).withParallelize(parallel));

        Event.BatchCompleted done = assertInstanceOf(Event.BatchCompleted.class, p.process(task(true), FROM));
        assertTrue(done.done());
        assertEquals(25, done.processed());
        assertEquals(4, done.quarantined());
        assertEquals(List.of("3", "7", "12", "20"), done.quarantinedIds());
        for (long id = 1; id <= 25; id++) {
            boolean aside = id == 3 || id == 7 || id == 12 || id == 20;
            assertEquals(aside ? 0 : 1, counter(id), "row " + id);
        }
        List<QuarantinedDocument> q = store.quarantine();
        assertEquals(List.of("3", "7", "12", "20"), q.stream().map(QuarantinedDocument::key).toList());
        assertTrue(q.get(0).error().contains("bad document 3"), q.get(0).error());
        assertTrue(q.get(1).error().contains("StackOverflowError"), q.get(1).error());
        assertTrue(q.get(2).error().contains("refused"), q.get(2).error());
        assertTrue(q.get(3).error().contains("batch deadline"), q.get(3).error());
        assertEquals("{\"id\":3,\"counter\":0}", q.get(0).document(), "the document as it was");
        assertEquals(4, store.ledger().values().stream().mapToInt(e -> e.quarantined()).sum(),
                "the ledger counts them, for the coordinator");

        // a redelivered task: answered from the ledger, nothing applied or set aside again
        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, p.process(task(true), FROM));
        assertTrue(again.replayed());
        assertEquals(4, again.quarantined());
        assertEquals(4, store.quarantine().size());
        assertEquals(21, store.rows().stream().filter(r -> r.get("counter").asInt() == 1).count());
    }

    @ParameterizedTest(name = "parallelize={0}")
    @ValueSource(booleans = {false, true})
    void aRunOverTheQuarantinedDocumentsMigratesEachOnceAndTakesItOutOfQuarantineInTheSameBatch(boolean parallel) {
        store.fence("m", 0, new SegmentFence("r1", null, null, 10, SegmentFence.State.OPEN));
        store.refuseValue("refuse-me");
        processor(Migration.define("m", "items", FLAKY).withParallelize(parallel)).process(task(true), FROM);
        assertEquals(4, store.quarantine().size());

        store.refuseValue("no longer refused");
        store.fence("m", 0, new SegmentFence("r2", null, null, 10, SegmentFence.State.OPEN));
        BatchProcessor fixed = processor(Migration.define("m", "items", (ctx, doc) -> ctx.newObject()
                .put("counter", doc.get("counter").asInt() + 1)).withParallelize(parallel));
        ProcessBatch retry = new ProcessBatch(new BatchKey("m", "r2", 0, null), null, 3, false, new Lease(10, 0), null)
                .withOnlyQuarantined(true);
        Event.BatchCompleted done = assertInstanceOf(Event.BatchCompleted.class, fixed.process(retry, FROM));
        assertTrue(done.done());
        assertEquals(4, done.processed());
        assertEquals(0, store.quarantine().size(), "each left quarantine");
        assertEquals(25, store.rows().stream().filter(r -> r.get("counter").asInt() == 1).count(), "every row at 1");

        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, fixed.process(retry, FROM));
        assertTrue(again.replayed());
        assertEquals(25, store.rows().stream().filter(r -> r.get("counter").asInt() == 1).count(), "still once");
    }

    @ParameterizedTest(name = "parallelize={0}")
    @ValueSource(booleans = {false, true})
    void withoutQuarantineTheFirstFailingDocumentFailsTheBatchAsBefore(boolean parallel) {
        store.fence("m", 0, new SegmentFence("r1", null, null, 10, SegmentFence.State.OPEN));
        BatchProcessor p = processor(Migration.define("m", "items", FLAKY).withParallelize(parallel));
        Event.BatchFailed failed = assertInstanceOf(Event.BatchFailed.class, p.process(task(false), FROM));
        assertEquals("3", failed.documentId());
        assertEquals(0, store.commits());
        assertEquals(0, store.quarantine().size());
    }
}
