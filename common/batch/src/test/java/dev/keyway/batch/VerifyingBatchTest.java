package dev.keyway.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.message.RunKind;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.SegmentFence;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A verify's batches against the in-memory store: they write nothing to the rows, record each row {@code migrateOne}
 * would still change (a differing patch, a throw) with its would-be change, count them in the ledger (a replayed task
 * records none again); a fix then migrates just those rows, each once, taking each out of the findings.
 */
class VerifyingBatchTest extends FakeStoreBatches {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Sets counter to 1 (idempotent): rows at 0 would change; 5 throws. */
    private static final MigrateOne SET_ONE = (ctx, doc) -> {
        if (doc.get("id").asLong() == 5) {
            throw new IllegalStateException("bad document 5");
        }
        return ctx.newObject().put("counter", 1L);
    };

    private BatchProcessor processor(Migration m) {
        return processor(m, Duration.ofSeconds(5));
    }

    private static ProcessBatch task(String run, RunKind kind, int size) {
        return new ProcessBatch(new BatchKey("m", run, 0, null), null, size, false, new Lease(10, 0), null)
                .withKind(kind);
    }

    @ParameterizedTest(name = "parallelize={0}")
    @ValueSource(booleans = {false, true})
    void aVerifyWritesNoRowAndRecordsEachRowItWouldStillChangeOnceEvenWhenReplayed(boolean parallel) {
        store.fence("m", 0, new SegmentFence("v1", null, null, 10, SegmentFence.State.OPEN));
        BatchProcessor p = processor(Migration.define("m", "items", SET_ONE).withParallelize(parallel));

        Event.BatchCompleted done = assertInstanceOf(Event.BatchCompleted.class, p.process(task("v1", RunKind.VERIFY,
                10), FROM));
        assertTrue(done.done());
        assertEquals(25, done.processed());
        assertEquals(25, done.quarantined(), "every row is at 0, and 5 throws");
        assertEquals(List.of("1", "2", "3"), done.quarantinedIds().subList(0, 3));
        assertEquals(10, done.changes().size(), "a bounded sample");
        assertEquals(0, store.rows().stream().filter(r -> r.get("counter").asInt() != 0).count(), "nothing written");
        List<QuarantinedDocument> found = store.verifyFindings();
        assertEquals(25, found.size());
        assertEquals("{\"patch\":{\"counter\":1}}", found.get(0).error(), "the would-be change");
        assertTrue(found.get(4).error().contains("bad document 5"), found.get(4).error());
        assertEquals(25, store.ledger().values().stream().mapToInt(e -> e.quarantined()).sum());

        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, p.process(task("v1", RunKind.VERIFY,
                10), FROM));
        assertTrue(again.replayed());
        assertEquals(25, again.quarantined(), "the ledger's count");
        assertEquals(25, store.verifyFindings().size(), "nothing recorded twice");
    }

    @Test
    void aFixMigratesJustTheRowsTheVerifyFoundEachOnce() {
        store.fence("m", 0, new SegmentFence("v1", null, null, 10, SegmentFence.State.OPEN));
        // rows 1..25 at 0; a verify of "counter must be 0 for even ids" finds the odd ones
        MigrateOne plusOneIfOdd = (ctx, doc) -> doc.get("id").asLong() % 2 == 1
                ? ctx.newObject().put("counter", doc.get("counter").asInt() + 1) : null;
        processor(Migration.define("m", "items", plusOneIfOdd)).process(task("v1", RunKind.VERIFY, 10), FROM);
        assertEquals(13, store.verifyFindings().size());

        store.fence("m", 0, new SegmentFence("f1", null, null, 4, SegmentFence.State.OPEN));
        BatchProcessor fix = processor(Migration.define("m", "items", plusOneIfOdd));
        Event.BatchCompleted done = assertInstanceOf(Event.BatchCompleted.class, fix.process(task("f1", RunKind.FIX, 4),
                FROM));
        assertTrue(done.done());
        assertEquals(13, done.processed());
        assertEquals(0, store.verifyFindings().size(), "each left the findings with its migration");
        for (ObjectNode row : store.rows()) {
            assertEquals(row.get("id").asLong() % 2 == 1 ? 1 : 0, row.get("counter").asInt(), row.toString());
        }
        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, fix.process(task("f1", RunKind.FIX, 4),
                FROM));
        assertTrue(again.replayed());
        assertEquals(13, store.rows().stream().filter(r -> r.get("counter").asInt() == 1).count(), "still once");
    }

    @Test
    void aPatchThatWritesWhatTheRowHoldsIsNoChangeAndNumbersCompareByValue() {
        ObjectNode row = JSON.objectNode().put("id", 1).put("counter", 1).put("price", "10.50").put("name", "a");
        row.putNull("gone");
        assertNull(VerifyingBatch.wouldChange(row, JSON.objectNode().put("counter", 1L).put("price", 10.5)
                .put("name", "a").putNull("gone"), null, null));
        assertNull(VerifyingBatch.wouldChange(row, null, null, null), "no patch");
        assertEquals("{\"patch\":{\"name\":\"b\"}}", VerifyingBatch.wouldChange(row, JSON.objectNode()
                .put("counter", 1).put("name", "b"), null, null).toString(), "only what differs");
        assertEquals("{\"patch\":{\"missing\":0}}", VerifyingBatch.wouldChange(row, JSON.objectNode()
                .put("missing", 0), null, null).toString());
        assertFalse(VerifyingBatch.same(JSON.textNode("1"), JSON.textNode("1.0")), "text compares as text");
        assertTrue(VerifyingBatch.same(JSON.numberNode(1), JSON.textNode("1.0")), "a number by value");
    }

    @Test
    void aWriteThroughTheDatabaseIsRecordedNotMadeAndCountsAsAChange() {
        RecordedWrites writes = new RecordedWrites();
        var db = writes.dbOf("7", null);
        db.insert("audit", JSON.objectNode().put("id", 70).put("note", "x"));
        db.delete("audit", JSON.numberNode(71));
        assertEquals("[{\"op\":\"insert\",\"table\":\"audit\",\"fields\":{\"id\":70,\"note\":\"x\"}},"
                + "{\"op\":\"delete\",\"table\":\"audit\",\"id\":71}]", writes.of("7").toString());
        assertNull(writes.of("8"));
        ObjectNode row = JSON.objectNode().put("id", 7);
        assertEquals("{\"writes\":" + writes.of("7") + "}",
                VerifyingBatch.wouldChange(row, null, writes.of("7"), null).toString());
    }
}
