package dev.keyway.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON other clients read (docs/CONTRACTS.md), pinned byte for byte: each literal below is what the codec of
 * main at 4edf726 wrote for the same message, before the Java types were grouped ({@link BatchKey} in tasks and
 * outcomes). The records changed; the wire did not.
 */
class WireFormatTest {

    private final JsonCodec codec = new JsonCodec();
    private static final BatchKey KEY = new BatchKey("setDefaultValue", "run-1", 2, "[1000]");

    static final String TASK = "{\"type\":\"processBatch\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"end\":\"[5000]\",\"batchSize\":500,\"dryRun\":false,"
            + "\"lease\":{\"batches\":100,\"targetBatchMillis\":200},\"walk\":\"users\"}";
    static final String COMPLETED = "{\"type\":\"batchCompleted\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"nextCursor\":\"[1500]\",\"processed\":500,\"done\":false,"
            + "\"replayed\":true,\"dryRun\":true,\"changes\":[{\"id\":\"1\",\"before\":{\"id\":1,\"email\":\"a@example.com\"},"
            + "\"after\":{\"id\":1,\"email\":\"b@example.com\"}}],\"omitted\":3,\"millis\":38,\"worker\":\"worker-1\"}";
    static final String FAILED = "{\"type\":\"batchFailed\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"error\":\"boom\",\"documentId\":\"1001\","
            + "\"task\":{\"topic\":\"migrations.tasks\",\"partition\":7,\"offset\":42},\"worker\":\"worker-2\"}";
    static final String SKIPPED = "{\"type\":\"batchSkipped\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":null,\"reason\":\"stale\",\"worker\":\"worker-1\"}";
    static final String DELAYED = "{\"type\":\"batchDelayed\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"reason\":\"locked\",\"worker\":\"worker-1\"}";

    static ObjectNode document(String email) {
        return JsonNodeFactory.instance.objectNode().put("id", 1).put("email", email);
    }

    static Event.DocumentChange change() {
        return new Event.DocumentChange("1", document("a@example.com"), document("b@example.com"));
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTaskIsWrittenWithItsBatchKeysFieldsAtTheTopLevelAsBefore() {
        Task.ProcessBatch task = new Task.ProcessBatch(KEY, "[5000]", 500, false, new Lease(100, 200), "users");
        assertEquals(TASK, text(codec.encode(task)));
        assertEquals(task, codec.decodeTask(bytes(TASK)));
        assertEquals("setDefaultValue/2", task.recordKey());
    }

    @Test
    void eachOutcomeIsWrittenWithItsBatchKeysFieldsAtTheTopLevelAsBefore() {
        List<Event> outcomes = List.of(
                new Event.BatchCompleted(KEY, "[1500]", 500, false, true, true, List.of(change()), 3, 38, "worker-1"),
                new Event.BatchFailed(KEY, "boom", "1001", new TaskLocation("migrations.tasks", 7, 42), "worker-2"),
                new Event.BatchSkipped(new BatchKey("setDefaultValue", "run-1", 2, null), "stale", "worker-1"),
                new Event.BatchDelayed(KEY, "locked", "worker-1"));
        List<String> wire = List.of(COMPLETED, FAILED, SKIPPED, DELAYED);
        for (int i = 0; i < outcomes.size(); i++) {
            assertEquals(wire.get(i), text(codec.encode(outcomes.get(i))));
            assertEquals(outcomes.get(i), codec.decodeEvent(bytes(wire.get(i))));
            assertEquals("setDefaultValue", outcomes.get(i).migration(), "the Kafka key of every event");
        }
    }

    @Test
    void olderTasksAndOutcomesWithoutTheLaterFieldsStillDecode() {
        // a task of 0.1: no lease, no walk
        assertEquals(new Task.ProcessBatch(new BatchKey("a", "r1", 0, null), "[9]", 10, false),
                codec.decodeTask(bytes("{\"type\":\"processBatch\",\"migration\":\"a\",\"runId\":\"r1\",\"segment\":0,"
                        + "\"cursor\":null,\"end\":\"[9]\",\"batchSize\":10,\"dryRun\":false}")));
        // an outcome in another order, with a field of 0.1 (retriable) and without omitted: read by name
        assertEquals(new Event.BatchFailed(new BatchKey("a", "r1", 1, "[4]"), "boom", null, null, "w1"),
                codec.decodeEvent(bytes("{\"worker\":\"w1\",\"cursor\":\"[4]\",\"error\":\"boom\",\"segment\":1,"
                        + "\"retriable\":false,\"runId\":\"r1\",\"migration\":\"a\",\"type\":\"batchFailed\"}")));
    }

    @Test
    void anOutcomeWithoutAMigrationOrRunIsMalformed() {
        for (String json : List.of("{\"type\":\"batchSkipped\",\"runId\":\"r1\",\"segment\":0,\"reason\":\"x\"}",
                "{\"type\":\"batchDelayed\",\"migration\":\"a\",\"segment\":0}")) {
            assertThrows(MalformedMessageException.class, () -> codec.decodeEvent(bytes(json)), json);
        }
        assertThrows(MalformedMessageException.class, () -> codec.decodeTask(
                bytes("{\"type\":\"processBatch\",\"migration\":\"a\",\"segment\":0,\"batchSize\":1}")));
    }
}
