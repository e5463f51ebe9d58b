package dev.keyway.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.message.RunKind;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.message.UndoOf;
import dev.keyway.migration.Migration;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.SegmentFence;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run with before-images and its undo against the in-memory store: the run's batches keep an image of each row they
 * change; the undo's batches restore every row the application left alone to what it was, leave the one it changed
 * (a conflict, recorded and counted in the ledger), and a replayed undo task restores nothing twice.
 */
class UndoBatchTest extends FakeStoreBatches {


    private BatchProcessor processor() {
        return processor(Migration.define("m", "items", (ctx, doc) ->
                ctx.newObject().put("counter", doc.get("counter").asInt() + 1)), Duration.ofSeconds(5));
    }

    private static ProcessBatch undo(String run, boolean force) {
        return new ProcessBatch(new BatchKey("m", run, 0, null), null, 7, false, new Lease(10, 0), null)
                .withKind(RunKind.UNDO).withUndoOf(new UndoOf("r1", force));
    }

    @Test
    void anUndoRestoresEveryRowButTheOneTheApplicationChangedAndAReplayRestoresNothingTwice() {
        store.fence("m", 0, new SegmentFence("r1", null, null, 10, SegmentFence.State.OPEN));
        ProcessBatch run = new ProcessBatch(new BatchKey("m", "r1", 0, null), null, 10, false, new Lease(10, 0), null)
                .withKeepImages(true);
        BatchProcessor p = processor();
        assertInstanceOf(Event.BatchCompleted.class, p.process(run, FROM));
        assertEquals(25, store.rows().stream().filter(r -> r.get("counter").asInt() == 1).count());
        assertEquals(25, store.images("m", "r1", null, 100).images().size(), "an image of each row");
        store.write(JsonNodeFactory.instance.objectNode().put("id", 5).put("counter", 7)); // the application

        store.fence("m", 0, new SegmentFence("u1", null, null, 7, SegmentFence.State.OPEN));
        Event.BatchCompleted undone = assertInstanceOf(Event.BatchCompleted.class, p.process(undo("u1", false), FROM));
        assertTrue(undone.done());
        assertEquals(25, undone.processed());
        assertEquals(1, undone.quarantined(), "one conflict");
        for (var row : store.rows()) {
            assertEquals(row.get("id").asInt() == 5 ? 7 : 0, row.get("counter").asInt(), row.toString());
        }
        List<QuarantinedDocument> conflicts = store.undoConflicts("m", 10);
        assertEquals(1, conflicts.size());
        assertTrue(conflicts.get(0).key().endsWith(" 5"), conflicts.get(0).key());
        assertTrue(conflicts.get(0).error().contains("changed since run r1"), conflicts.get(0).error());

        Event.BatchCompleted again = assertInstanceOf(Event.BatchCompleted.class, p.process(undo("u1", false), FROM));
        assertTrue(again.replayed());
        assertEquals(1, store.undoConflicts("m", 10).size(), "nothing recorded twice");

        store.fence("m", 0, new SegmentFence("u2", null, null, 7, SegmentFence.State.OPEN));
        Event.BatchCompleted forced = assertInstanceOf(Event.BatchCompleted.class, p.process(undo("u2", true), FROM));
        assertEquals(0, forced.quarantined());
        assertEquals(0, store.rows().stream().filter(r -> r.get("counter").asInt() != 0).count(), "forced: all back");
    }
}
