package dev.keyway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.FailedBatch;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.TaskLocation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsolePartsTest {

    @Test
    void anEventWithSeveralLinesOfDataHasADataLinePerLine() {
        assertEquals("event: migration\nid: 7\ndata: {\"a\":1,\ndata: \"b\":2}\n\n", EventStream.frame("migration", 7, "{\"a\":1,\n\"b\":2}"));
        assertEquals("event: x\nid: 1\ndata: \n\n", EventStream.frame("x", 1, ""));
    }

    @Test
    void theRateCountsTheLastMinuteAndANewRunStartsTheSamplesOver() {
        RateSamples r = new RateSamples();
        assertEquals(0, r.perSecond(60_000));
        r.add("r1", 0, 0);
        r.add("r1", 60_000, 6_000);
        r.add("r1", 120_000, 18_000);
        assertEquals(200, r.perSecond(60_000), 0.001, "12,000 rows in the last 60 s");
        r.add("r1", 120_500, 18_100);
        r.add("r1", 120_800, 18_200);
        assertEquals(4, r.snapshot().size(), "at most one sample a second: the last one moves");
        assertEquals(120_800, r.snapshot().get(3)[0]);
        r.add("r2", 130_000, 10);
        assertEquals(1, r.snapshot().size());
        for (int i = 1; i <= 2 * RateSamples.MAX_SAMPLES; i++) {
            r.add("r2", 130_000 + i * 1_000L, 10 + i);
        }
        assertTrue(r.snapshot().size() <= RateSamples.MAX_SAMPLES, "bounded: " + r.snapshot().size());
        assertEquals(130_000 + 2_000L * RateSamples.MAX_SAMPLES, r.snapshot().get(r.snapshot().size() - 1)[0], "keeps the latest");
    }

    @Test
    void theReplayCommandsOfAFailedBatchNameItsGroupTopicPartitionAndOffset() {
        MigrationStatus failed = MigrationStatus.unknown("inc", 100).change().state(MigrationState.FAILED).error("boom")
                .failedBatch(new FailedBatch(1, "[7600]", "7777", new TaskLocation("migrations.tasks", 10, 26))).build();
        List<String> commands = ReplayCommands.of(failed, new ReplayCommands.Target("localhost:9092", "migrations.workers"));
        assertEquals("bin/migrate retry inc", commands.get(0));
        assertEquals("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --group migrations.workers"
                + " --topic migrations.tasks:10 --reset-offsets --to-offset 26 --execute", commands.get(1));
        assertTrue(commands.get(2).contains("ConsumerGroupCommand --bootstrap-server localhost:9092"), commands.get(2));
        assertEquals(List.of(), ReplayCommands.of(MigrationStatus.unknown("ok", 100), null));
    }

    @Test
    void aFailedVerifyIsResumedByVerifyNotByRetryWhichWouldSkipAMigrationThatSucceeded() {
        MigrationStatus failed = MigrationStatus.unknown("inc", 100).change().state(MigrationState.VERIFY_FAILED)
                .kind(RunKind.VERIFY).error("boom")
                .failedBatch(new FailedBatch(0, null, "7", new TaskLocation("migrations.tasks", 3, 9))).build();
        List<String> commands = ReplayCommands.of(failed, new ReplayCommands.Target("localhost:9092", "migrations.workers"));
        assertEquals("bin/migrate verify inc", commands.get(0));
        assertTrue(commands.get(1).endsWith("--topic migrations.tasks:3 --reset-offsets --to-offset 9 --execute"),
                commands.get(1));
    }

    @Test
    void jsonStringsAreEscapedSafeForHtml() {
        assertEquals("\"a\\\"b\\\\c\\n\\u003c/script\\u003e\\u0001\"", ConsoleJson.quote("a\"b\\c\n</script>\u0001"));
        assertEquals("null", ConsoleJson.quote(null));
    }

    @Test
    void theBoardGivesWhatChangedSinceAVersionAndNoRateOnceARunStopped() throws Exception {
        StatusBoard board = new StatusBoard();
        board.update(FakeMigrations.running("a", 0, 0));
        board.update(FakeMigrations.running("b", 0, 0));
        board.update(FakeMigrations.running("a", 600, 2_000));
        StatusBoard.Changes all = board.changedSince(0);
        assertEquals(List.of("a", "b"), all.entries().stream().map(e -> e.status().name()).toList());
        assertEquals(300, all.entries().get(0).rowsPerSecond(), 0.001);
        assertEquals(3, all.version());
        assertEquals(List.of(), board.changedSince(3).entries());
        assertEquals(3, board.awaitChange(3, 10), "nothing changed: back after the wait");

        board.update(board.statuses().get(0).withState(MigrationState.PAUSED, null, null));
        StatusBoard.Changes paused = board.changedSince(3);
        assertEquals(1, paused.entries().size());
        assertEquals(0, paused.entries().get(0).rowsPerSecond(), "a paused run goes at no rate");

        board.update(board.statuses().get(0).change().state(MigrationState.VERIFYING).kind(RunKind.VERIFY).runId("v1")
                .processed(0).updatedAt(10_000).build());
        board.update(board.statuses().get(0).change().processed(900).updatedAt(13_000).build());
        assertEquals(300, board.changedSince(4).entries().get(0).rowsPerSecond(), 0.001, "a verify runs: it has a rate");
    }
}
