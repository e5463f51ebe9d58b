package dev.keyway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.codec.JsonCodec;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.Limits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code history}: the table, {@code --json}, {@code --limit}, a migration's entries only, a stranger's record. */
class HistoryCommandTest {

    private final JsonCodec codec = new JsonCodec();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<byte[]> history = new ArrayList<>();
    private final List<Command> sent = new ArrayList<>();

    private static final HistoryEntry STARTED = new HistoryEntry(HistoryEntry.STARTED, "a", "run-1", 1767225600000L,
            "ann", "run", null, new HistoryEntry.Parameters(null, 500, new Limits(1000), 4, List.of(), List.of("ops")),
            null);
    private static final HistoryEntry PAUSED = new HistoryEntry(HistoryEntry.PAUSED, "b", "run-2", 1767225601000L,
            "bob", "pause", null, null, new HistoryEntry.Outcome(300, 2500L, null, null));
    private static final HistoryEntry FAILED = new HistoryEntry(HistoryEntry.FAILED, "a", "run-1", 1767225665000L,
            null, null, null, null, new HistoryEntry.Outcome(1500, 65_000L, "segment 1, cursor [5500]: boom", "5731"));

    private int execute(String... args) {
        KeywayCli cli = new KeywayCli(Map.of("KAFKA_BOOTSTRAP_SERVERS", "fake:9092"), settings -> {
            FakeKafka kafka = new FakeKafka(settings, List.of(), c -> {
                sent.add(c);
                return List.of(new Event.CommandAccepted(c.fn(), c.type(), "started", "ok"));
            });
            kafka.history.addAll(history);
            return kafka;
        });
        return KeywayCli.commandLine(cli).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private void written(HistoryEntry... entries) {
        for (HistoryEntry h : entries) {
            history.add(codec.encode(h));
        }
    }

    @Test
    void theTableShowsWhenWhatWhoAndTheDetailsOldestFirst() {
        written(STARTED, PAUSED, FAILED);
        assertEquals(0, execute("history"), err.toString());
        String[] lines = out.toString().split("\n");
        assertEquals(4, lines.length, out.toString());
        assertTrue(lines[0].startsWith("WHEN (UTC)"), lines[0]);
        assertTrue(lines[1].startsWith("2026-01-01 00:00:00  a "), lines[1]);
        assertTrue(lines[1].contains("started    ann"), lines[1]);
        assertTrue(lines[1].contains("batch size 500; at most 1000 rows/s;"), lines[1]);
        assertTrue(lines[1].contains("4 segment(s); from the start; notifies ops"), lines[1]);
        assertTrue(lines[3].contains("failed     -"), lines[3]);
        assertTrue(lines[3].contains("1500 rows; in 1 min 5 s; document 5731; error: segment 1, cursor [5500]: boom"),
                lines[3]);
    }

    @Test
    void oneMigrationsEntriesAsJsonOnePerLineAndTheLatestNOnly() {
        written(STARTED, PAUSED, FAILED);
        assertEquals(0, execute("history", "a", "--json", "--limit", "1"), err.toString());
        assertEquals(new String(codec.encode(FAILED), StandardCharsets.UTF_8) + "\n", out.toString());
    }

    @Test
    void aStrangersRecordIsSkippedAndTheRestShown() {
        history.add("not an entry".getBytes(StandardCharsets.UTF_8));
        written(PAUSED);
        assertEquals(0, execute("history", "--json"), err.toString());
        assertEquals(1, out.toString().lines().count(), out.toString());
    }

    @Test
    void anEmptyHistorySaysSoAndABadLimitIsRefused() {
        assertEquals(0, execute("history", "a"), err.toString());
        assertEquals("no history of a on the history topic\n", out.toString());
        assertEquals(2, execute("history", "--limit", "-1"));
        assertTrue(err.toString().contains("--limit must be 0 (all) or more, but was -1"), err.toString());
    }

    @Test
    void runNamesItsNotificationTargetsInTheCommand() {
        assertEquals(0, execute("run", "a", "--notify", "Ops,oncall"), err.toString());
        assertEquals(List.of("ops", "oncall"), ((Command.Run) sent.get(0)).notifyTargets());
    }
}
