package dev.keyway.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.DryRunReport;
import dev.keyway.message.Event;
import dev.keyway.message.FailedBatch;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.LastCommand;
import dev.keyway.message.Lease;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON other clients read (docs/CONTRACTS.md), pinned byte for byte: each literal below is what the codec of
 * main at 4edf726 wrote for the same message, before the Java types were grouped ({@link BatchKey} in tasks and
 * outcomes, the groups of {@link MigrationStatus}). The records changed; the wire did not. Issue 18 added the status
 * fields {@code startedAt} and {@code notifyTargets} at the end (before {@code schemaVersion}), and the history entry;
 * issue 19 the task's {@code quarantine}, the outcome's {@code quarantined} and {@code quarantinedIds}, and the status's
 * {@code quarantined} and {@code maxQuarantined} (at the end, before {@code schemaVersion}).
 */
class WireFormatTest {

    private final JsonCodec codec = new JsonCodec();
    private static final BatchKey KEY = new BatchKey("setDefaultValue", "run-1", 2, "[1000]");

    static final String TASK = "{\"type\":\"processBatch\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"end\":\"[5000]\",\"batchSize\":500,\"dryRun\":false,"
            + "\"lease\":{\"batches\":100,\"targetBatchMillis\":200},\"walk\":\"users\",\"quarantine\":false,\"onlyQuarantined\":false,\"kind\":\"migrate\","
            + "\"undoOf\":null,\"keepImages\":false}";
    static final String COMPLETED = "{\"type\":\"batchCompleted\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"nextCursor\":\"[1500]\",\"processed\":500,\"done\":false,"
            + "\"replayed\":true,\"dryRun\":true,\"changes\":[{\"id\":\"1\",\"before\":{\"id\":1,\"email\":\"a@example.com\"},"
            + "\"after\":{\"id\":1,\"email\":\"b@example.com\"}}],\"omitted\":3,\"millis\":38,\"worker\":\"worker-1\","
            + "\"quarantined\":0,\"quarantinedIds\":[]}";
    static final String FAILED = "{\"type\":\"batchFailed\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"error\":\"boom\",\"documentId\":\"1001\","
            + "\"task\":{\"topic\":\"migrations.tasks\",\"partition\":7,\"offset\":42},\"worker\":\"worker-2\"}";
    static final String SKIPPED = "{\"type\":\"batchSkipped\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":null,\"reason\":\"stale\",\"worker\":\"worker-1\"}";
    static final String DELAYED = "{\"type\":\"batchDelayed\",\"migration\":\"setDefaultValue\",\"runId\":\"run-1\","
            + "\"segment\":2,\"cursor\":\"[1000]\",\"reason\":\"locked\",\"worker\":\"worker-1\"}";

    /** A status with every field set: a failed, paused-by-operator run of two segments, with a dry run pending. */
    static final String RICH_STATUS = "{\"name\":\"setDefaultValue\",\"cursor\":\"[1000]\",\"processed\":1500,\"isDone\":false,"
            + "\"error\":\"segment 1, cursor [5500]: boom\",\"state\":\"failed\",\"latestStart\":1767225600000,"
            + "\"latestEnd\":1767225600750,\"batchSize\":500,\"next\":[\"clearField\"],\"runId\":\"run-1\","
            + "\"pendingDryRun\":\"dry-2\",\"segments\":[{\"index\":0,\"from\":null,\"to\":\"[5000]\","
            + "\"cursor\":\"[1000]\",\"processed\":1000,\"done\":false,\"delayedBy\":\"locked\"},{\"index\":1,"
            + "\"from\":\"[5000]\",\"to\":null,\"cursor\":\"[5500]\",\"processed\":500,\"done\":true,"
            + "\"delayedBy\":null}],\"failedBatch\":{\"segment\":1,\"cursor\":\"[5500]\","
            + "\"documentId\":\"5731\",\"task\":{\"topic\":\"migrations.tasks\",\"partition\":7,"
            + "\"offset\":42}},\"dryRun\":{\"at\":1767225600100,\"cursor\":null,\"processed\":2,"
            + "\"nextCursor\":\"[2]\",\"changes\":[{\"id\":\"1\",\"before\":{\"id\":1,"
            + "\"email\":\"a@example.com\"},\"after\":{\"id\":1,\"email\":\"b@example.com\"}}],\"error\":null,"
            + "\"omitted\":4},\"requestedBy\":\"ops@example.com\",\"total\":10000,"
            + "\"throttledBy\":\"throttled to 25%: lag\",\"limits\":{\"maxRowsPerSecond\":1000,"
            + "\"targetBatchMillis\":200,\"maxConcurrency\":4},\"database\":\"db-1\","
            + "\"lastCommand\":{\"command\":\"run\",\"requestedBy\":\"ops@example.com\",\"at\":1767225600000},"
            + "\"pausedBy\":\"operator\",\"limitedBy\":\"rate: at most 1000 rows/s\","
            + "\"pausedSince\":1767225600600,\"startProcessed\":700,\"updatedAt\":1767225600750,"
            + "\"startedAt\":1767225599000,\"notifyTargets\":[\"ops\"],\"quarantined\":3,\"maxQuarantined\":10,\"maxQuarantinedPercent\":0.5,\"onlyQuarantined\":false,"
            + "\"runKind\":\"migrate\",\"mismatched\":0,\"verifySample\":[],"
            + "\"keepImages\":false,\"undoOf\":null,\"conflicts\":0,\"schemaVersion\":1}";
    static final String UNKNOWN_STATUS = "{\"name\":\"clearField\",\"cursor\":null,\"processed\":0,\"isDone\":false,\"error\":null,"
            + "\"state\":\"unknown\",\"latestStart\":null,\"latestEnd\":null,\"batchSize\":100,\"next\":[],"
            + "\"runId\":null,\"pendingDryRun\":null,\"segments\":[],\"failedBatch\":null,\"dryRun\":null,"
            + "\"requestedBy\":null,\"total\":null,\"throttledBy\":null,\"limits\":null,\"database\":null,"
            + "\"lastCommand\":null,\"pausedBy\":null,\"limitedBy\":null,\"pausedSince\":null,"
            + "\"startProcessed\":0,\"updatedAt\":0,\"startedAt\":null,\"notifyTargets\":[],\"quarantined\":0,\"maxQuarantined\":null,\"maxQuarantinedPercent\":null,\"onlyQuarantined\":false,"
            + "\"runKind\":\"migrate\",\"mismatched\":0,\"verifySample\":[],"
            + "\"keepImages\":false,\"undoOf\":null,\"conflicts\":0,\"schemaVersion\":1}";
    static final String FAILED_ENTRY = "{\"type\":\"historyEntry\",\"kind\":\"failed\",\"migration\":\"setDefaultValue\","
            + "\"runId\":\"run-1\",\"at\":1767225600750,\"by\":null,\"command\":null,\"detail\":null,"
            + "\"parameters\":null,\"outcome\":{\"rows\":1500,\"durationMillis\":1750,"
            + "\"error\":\"segment 1, cursor [5500]: boom\",\"documentId\":\"5731\",\"quarantined\":0}}";
    static final String STARTED_ENTRY = "{\"type\":\"historyEntry\",\"kind\":\"started\",\"migration\":\"setDefaultValue\","
            + "\"runId\":\"run-1\",\"at\":1767225599000,\"by\":\"ops@example.com\",\"command\":\"run\","
            + "\"detail\":\"then clearField\",\"parameters\":{\"cursor\":null,\"batchSize\":500,"
            + "\"limits\":{\"maxRowsPerSecond\":1000,\"targetBatchMillis\":null,\"maxConcurrency\":null},"
            + "\"segments\":4,\"next\":[\"clearField\"],\"notifyTargets\":[\"ops\"]},\"outcome\":null}";

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

    static MigrationStatus richStatus() {
        return MigrationStatus.unknown("setDefaultValue", 100).change()
                .state(MigrationState.FAILED).error("segment 1, cursor [5500]: boom")
                .latestStart(1767225600000L).latestEnd(1767225600750L).batchSize(500).next(List.of("clearField"))
                .runId("run-1").pendingDryRun("dry-2")
                .segments(List.of(new SegmentStatus(0, null, "[5000]", "[1000]", 1000, false, "locked"),
                        new SegmentStatus(1, "[5000]", null, "[5500]", 500, true, null)))
                .cursor("[1000]").processed(1500)
                .failedBatch(new FailedBatch(1, "[5500]", "5731", new TaskLocation("migrations.tasks", 7, 42)))
                .dryRun(new DryRunReport(1767225600100L, null, 2, "[2]", List.of(change()), null, 4))
                .requestedBy("ops@example.com").total(10000L).throttledBy("throttled to 25%: lag")
                .limits(new Limits(1000, 200, 4)).database("db-1")
                .lastCommand(new LastCommand("run", "ops@example.com", 1767225600000L)).pausedBy("operator")
                .limitedBy("rate: at most 1000 rows/s").pausedSince(1767225600600L).startProcessed(700)
                .updatedAt(1767225600750L).startedAt(1767225599000L).notifyTargets(List.of("ops")).quarantined(3).maxQuarantined(10L).maxQuarantinedPercent(0.5).build();
    }

    @Test
    void aHistoryEntryIsWrittenWithItsTypeKindAndGroups() {
        HistoryEntry failed = new HistoryEntry(HistoryEntry.FAILED, "setDefaultValue", "run-1", 1767225600750L, null,
                null, null, null, new HistoryEntry.Outcome(1500, 1750L, "segment 1, cursor [5500]: boom", "5731"));
        HistoryEntry started = new HistoryEntry(HistoryEntry.STARTED, "setDefaultValue", "run-1", 1767225599000L,
                "ops@example.com", "run", "then clearField", new HistoryEntry.Parameters(null, 500, new Limits(1000), 4,
                List.of("clearField"), List.of("ops")), null);
        assertEquals(FAILED_ENTRY, text(codec.encode(failed)));
        assertEquals(STARTED_ENTRY, text(codec.encode(started)));
        assertEquals(failed, codec.decodeHistory(bytes(FAILED_ENTRY)));
        assertEquals(started, codec.decodeHistory(bytes(STARTED_ENTRY)));
    }

    @Test
    void aHistoryEntryOfAKindNotKnownYetIsReadAndAStrangersRecordIsMalformed() {
        assertEquals("archived", codec.decodeHistory(bytes("{\"type\":\"historyEntry\",\"kind\":\"archived\","
                + "\"migration\":\"a\",\"at\":5,\"extra\":1}")).kind());
        for (String json : List.of("not json", "{\"type\":\"historyEntry\",\"migration\":\"a\"}",
                "{\"type\":\"batchFailed\",\"kind\":\"failed\",\"migration\":\"a\"}",
                "{\"type\":\"historyEntry\",\"kind\":\"failed\"}",
                "{\"type\":\"historyEntry\",\"kind\":\"failed\",\"migration\":\"a\",\"outcome\":{\"rows\":\"x\"}}")) {
            assertThrows(MalformedMessageException.class, () -> codec.decodeHistory(bytes(json)), json);
        }
    }

    @Test
    void aStatusIsWrittenWithEveryFieldOfItsGroupsAtTheTopLevelInTheOrderOfBefore() {
        MigrationStatus rich = richStatus();
        assertEquals(RICH_STATUS, text(codec.encode(rich)));
        assertEquals(UNKNOWN_STATUS, text(codec.encode(MigrationStatus.unknown("clearField", 100))));
        assertEquals("[1000]", rich.progress().cursor());
        assertEquals("run-1", rich.run().runId());
        assertEquals(500, rich.pace().batchSize());
        assertEquals("5731", rich.failure().batch().documentId());
        assertEquals("dry-2", rich.dryRuns().pending());
    }

    @Test
    void aStatusOfTheFormatBeforeDecodesIntoItsGroups() {
        assertEquals(richStatus(), codec.decodeStatus("setDefaultValue", bytes(RICH_STATUS)));
        assertEquals(MigrationStatus.unknown("clearField", 100), codec.decodeStatus("clearField", bytes(UNKNOWN_STATUS)));
        // written before 0.2: no schemaVersion, database, lastCommand, limits, throttledBy, pausedBy and the rest
        MigrationStatus old = codec.decodeStatus("a", bytes("{\"name\":\"a\",\"cursor\":\"[5]\",\"processed\":5,"
                + "\"isDone\":true,\"error\":null,\"state\":\"success\",\"latestStart\":1,\"latestEnd\":2,"
                + "\"batchSize\":10,\"next\":[],\"runId\":\"r1\",\"pendingDryRun\":null,\"segments\":[],"
                + "\"failedBatch\":null,\"dryRun\":null,\"updatedAt\":2}"));
        assertEquals(MigrationStatus.unknown("a", 10).change().state(MigrationState.SUCCESS).cursor("[5]").processed(5)
                .latestStart(1L).latestEnd(2L).runId("r1").updatedAt(2).build(), old);
        assertTrue(old.isDone());
        assertThrows(MalformedMessageException.class, () -> codec.decodeStatus("a",
                bytes("{\"name\":\"a\",\"state\":\"unknown\",\"next\":[null]}")));
    }

    @Test
    void theStatusesOfTheStatusPageHaveTheFieldsOfTheWire() {
        String page = codec.pretty(List.of(richStatus()));
        assertTrue(page.contains("\"processed\" : 1500,"), page);
        assertTrue(page.contains("\"failedBatch\" : {"), page);
        assertFalse(page.contains("\"progress\""), page);
        assertFalse(page.contains("\"schemaVersion\""), page);
    }
}
