package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.codec.JsonCodec;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Anyone can write to the four topics. Whatever a stranger writes there, the services answer (or skip it
 * with a warning), answers stay small, and the next valid command still runs with every row applied once.
 */
class HostileInputIT {

    private static final MigrateOne INCREMENT = TestMigrations.PLUS_ONE;
    private static final Migration COUNT = Migration.define("count", "items", INCREMENT).withBatchSize(100);
    private static final Migration STAMP = Migration.define("stamp", "items",
            (ctx, doc) -> ctx.newObject().put("note", "stamped " + doc.path("note").asText()));

    private final JsonCodec codec = new JsonCodec();
    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(500);
    private ServiceHarness harness;
    private Topics topics;

    /** Starts a coordinator and {@code workers} workers on fresh topics. */
    private void start(int workers) {
        harness = items.services(workers, COUNT, STAMP);
        topics = harness.kafka().settings().topics();
    }

    private void publish(String topic, String key, byte[] value) {
        harness.kafka().publish(List.of(new Outbound(topic, key, value))).block(ServiceHarness.TIMEOUT);
    }

    private void countRunsToTheEnd(int expected) throws Exception {
        MigrationStatus done = harness.runToEnd(Command.Run.of("count").withStartAt(Command.StartAt.beginning()));
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        assertEquals(0, items.sql().itemsNotAt(expected));
    }

    /** The coordinator's answers to malformed commands, as raw records, from {@code from} on. */
    private List<Inbound> rejections(long from, int n) {
        return harness.kafka().follow(topics.events(), from)
                .filter(r -> codec.decodeEvent(r.value()) instanceof Event.CommandRejected x && x.command().equals("malformed"))
                .take(n).collectList().block(ServiceHarness.TIMEOUT);
    }

    @Test
    void oversizedAndControlCharacterCommandsGetSmallAnswersAndTheNextCommandRuns() throws Exception {
        start(1);
        long from = harness.kafka().endOffset(topics.events());
        byte[] control = new byte[200_000];
        Arrays.fill(control, (byte) 1);
        publish(topics.commands(), "count", control);
        String hugeFn = "{\"type\":\"run\",\"fn\":\"" + "x".repeat(700_000) + "\"}";
        publish(topics.commands(), "k".repeat(200_000), hugeFn.getBytes(StandardCharsets.UTF_8));
        String badName = "{\"type\":\"run\",\"fn\":\"" + "\\u0007".repeat(50) + "drop table\"}";
        publish(topics.commands(), "count", badName.getBytes(StandardCharsets.UTF_8));
        String manyNext = "{\"type\":\"run\",\"fn\":\"count\",\"next\":[" + "\"count\",".repeat(150) + "\"count\"]}";
        publish(topics.commands(), "count", manyNext.getBytes(StandardCharsets.UTF_8));

        List<Inbound> answers = rejections(from, 4);
        for (Inbound a : answers) {
            assertTrue(a.value().length < 2_000, "an answer of " + a.value().length + " bytes");
            assertTrue(a.key() == null || a.key().length() <= Command.MAX_NAME, "the key was echoed");
        }
        String reasons = answers.stream().map(a -> ((Event.CommandRejected) codec.decodeEvent(a.value())).reason())
                .reduce("", String::concat);
        assertTrue(reasons.contains("larger than the limit of 65536 bytes"), reasons);
        assertTrue(reasons.contains("must be a migration name"), reasons);
        assertTrue(reasons.contains("at most 100 migrations"), reasons);
        assertFalse(reasons.chars().anyMatch(c -> c < 0x20), "control characters are escaped");
        countRunsToTheEnd(1);
    }

    @Test
    void recordsOnTheStatusTopicThatAreNotStatusesAreSkippedWhenACoordinatorRebuilds() throws Exception {
        start(1);
        countRunsToTheEnd(1);
        publish(topics.status(), "count", "not json at all \u0000".getBytes(StandardCharsets.UTF_8));
        publish(topics.status(), "stamp", "{\"schemaVersion\":99,\"migration\":\"stamp\",\"progress\":0.5}"
                .getBytes(StandardCharsets.UTF_8));
        publish(topics.status(), "ghost", "{\"name\":\"other\",\"state\":\"success\"}".getBytes(StandardCharsets.UTF_8));
        String count = new String(codec.encode(harness.status("count")), StandardCharsets.UTF_8);
        publish(topics.status(), "count", count.replace("\"schemaVersion\":1", "\"schemaVersion\":99")
                .replace("\"state\":\"success\"", "\"state\":\"failed\"").getBytes(StandardCharsets.UTF_8));
        byte[] stampDone = count.replace("\"count\"", "\"stamp\"").getBytes(StandardCharsets.UTF_8);
        assertThrows(Exception.class, () -> publish(topics.status(), null, stampDone),
                "the broker refuses a keyless record on a compacted topic");
        publish(topics.status(), "", stampDone);

        harness.stopCoordinators();
        harness.startCoordinator();
        Event again = harness.send(Command.Run.of("count"));
        assertEquals("skipped", assertInstanceOf(Event.CommandAccepted.class, again).action(),
                "the status from before the garbage was kept: count had completed");
        assertEquals(MigrationState.SUCCESS, harness.client().statuses().get("count").state(),
                "readers skip the garbage too");
        assertEquals(List.of("count"), List.copyOf(harness.client().statuses().keySet()),
                "no status from a record under another key, or none");
        countRunsToTheEnd(2);
        MigrationStatus stamped = harness.runToEnd(Command.Run.of("stamp"));
        assertEquals(MigrationState.SUCCESS, stamped.state());
        assertEquals(500, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" LIKE 'stamped%'"),
                "the record under an empty key that says stamp completed was not taken for its status");
    }

    @Test
    void strangeRecordsOnTheTasksAndEventsTopicsAreSkippedAndTheNextRunCompletes() throws Exception {
        start(1);
        publish(topics.tasks(), "count/0", "garbage".getBytes(StandardCharsets.UTF_8));
        publish(topics.tasks(), "count/0", null);
        publish(topics.tasks(), "count/0", ("{\"type\":\"processBatch\",\"migration\":\"count\",\"runId\":\"r\","
                + "\"segment\":0,\"cursor\":null,\"end\":null,\"batchSize\":1000000,\"dryRun\":true}")
                .getBytes(StandardCharsets.UTF_8));
        publish(topics.tasks(), "count/0", ("{\"type\":\"processBatch\",\"migration\":\"count\",\"runId\":\"r\","
                + "\"segment\":-3,\"batchSize\":10,\"dryRun\":false}").getBytes(StandardCharsets.UTF_8));
        publish(topics.tasks(), "count/0", ("{\"type\":\"processBatch\",\"migration\":\"count\",\"runId\":\"r\","
                + "\"segment\":0,\"batchSize\":-5,\"dryRun\":false}").getBytes(StandardCharsets.UTF_8));
        publish(topics.events(), "count", "{\"type\":\"batchExploded\"}".getBytes(StandardCharsets.UTF_8));
        publish(topics.events(), "count", new byte[] {(byte) 0xff, 0, 1});
        publish(topics.events(), "count", null);
        publish(topics.events(), null, "{}".getBytes(StandardCharsets.UTF_8));
        countRunsToTheEnd(1);
    }

    @Test
    void aForgedOutcomeLargerThanAnyWorkersIsDroppedAndTheRunCompletes() throws Exception {
        start(0);
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("count")));
        MigrationStatus planned = harness.client().awaitStatus(s -> s.name().equals("count")
                && !s.progress().segments().isEmpty(), ServiceHarness.TIMEOUT);
        Event.BatchFailed forged = new Event.BatchFailed(new BatchKey("count", planned.run().runId(), 0,
                planned.progress().segments().get(0).cursor()),
                "x".repeat(300_000), null, null, "stranger");
        publish(topics.events(), "count", codec.encode(forged));

        harness.startWorker();
        MigrationStatus done = harness.awaitEnd("count", 0);
        assertEquals(MigrationState.SUCCESS, done.state(),
                "the forged failure was taken: " + Excerpt.of(done.failure().error(), 80));
        assertEquals(0, items.sql().itemsNotAt(1));
        List<Integer> sizes = new ArrayList<>();
        harness.kafka().readToEnd(topics.status()).forEach(r -> sizes.add(r.value().length));
        assertTrue(sizes.stream().allMatch(n -> n < 10_000), "status records: " + sizes);
    }

    @Test
    void aDryRunOverHugeValuesReportsThemCutAndTheStatusDropsTheReportWhenTheRunStarts() throws Exception {
        start(1);
        items.sql().exec("ALTER TABLE \"items\" ALTER COLUMN \"note\" TYPE TEXT",
                "UPDATE \"items\" SET \"note\" = repeat('n', 50000)");
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("stamp").withDryRun(true)
                .withBatchSize(100)));
        MigrationStatus dry = harness.client().awaitStatus(s -> s.name().equals("stamp") && s.updatedAt() >= since
                && s.dryRuns().last() != null, ServiceHarness.TIMEOUT);
        assertTrue(codec.encode(dry).length < 100_000, "a status of " + codec.encode(dry).length + " bytes");
        assertFalse(dry.dryRuns().last().changes().isEmpty());
        assertTrue(dry.dryRuns().last().omitted() > 0, "100 changed documents of 50 KB do not fit in the report");
        assertEquals(100, dry.dryRuns().last().changes().size() + dry.dryRuns().last().omitted(),
                "each change is shown or counted");
        String before = dry.dryRuns().last().changes().get(0).before().get("note").asText();
        assertTrue(before.endsWith("…[truncated, 50000 chars]") && before.length() < 1_100, before.length() + " chars");
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" LIKE 'stamped%'"), "rolled back");

        MigrationStatus done = harness.runToEnd(Command.Run.of("stamp"));
        assertEquals(MigrationState.SUCCESS, done.state());
        assertNull(done.dryRuns().last(), "the report was shown when the dry run ended; the run drops it");
        assertEquals(500, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" LIKE 'stamped%'"));
        List<Integer> sizes = new ArrayList<>();
        harness.kafka().readToEnd(topics.status()).forEach(r -> sizes.add(r.value() == null ? 0 : r.value().length));
        harness.kafka().readToEnd(topics.events()).forEach(r -> sizes.add(r.value() == null ? 0 : r.value().length));
        assertTrue(sizes.stream().allMatch(n -> n < 100_000), "status and event records: " + sizes);
    }
}
