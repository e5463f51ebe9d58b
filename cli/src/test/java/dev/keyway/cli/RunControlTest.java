package dev.keyway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.Command;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.message.Event;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** retry, cancel, pause, resume and configure: what each sends, and how it reports the coordinator's answer. */
class RunControlTest {

    private final List<Command> sent = new ArrayList<>();
    private Function<Command, List<Event>> coordinator = c -> List.of(accepted(c));
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static Event accepted(Command c) {
        return new Event.CommandAccepted(c.fn() == null ? "*" : c.fn(), c.type(), "done", "detail of " + c.type());
    }

    private int execute(String... args) {
        KeywayCli cli = new KeywayCli(Map.of("KAFKA_BOOTSTRAP_SERVERS", "fake:9092"),
                settings -> new FakeKafka(settings, List.of(), c -> {
                    sent.add(c);
                    return coordinator.apply(c);
                }));
        return KeywayCli.commandLine(cli).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void eachCommandSendsItsOwnTypeForTheNamedMigrationAndPrintsTheAnswer() {
        assertEquals(0, execute("retry", "a"), err.toString());
        assertEquals(0, execute("cancel", "b"), err.toString());
        assertEquals(0, execute("pause", "c"), err.toString());
        assertEquals(0, execute("resume", "d"), err.toString());
        assertEquals(0, execute("cancel", "--all"), err.toString());

        assertEquals(List.of("run a", "cancel b", "pause c", "resume d", "cancelAll null"),
                sent.stream().map(c -> c.type() + " " + c.fn()).toList());
        sent.forEach(c -> assertNotNull(c.requestedBy(), "who asked is recorded: " + c));
        assertEquals(null, ((Command.Run) sent.get(0)).startAt(), "retry goes on from the failed batch");
        assertTrue(out.toString().contains("c: done (detail of pause)\n"), out.toString());
        assertTrue(out.toString().contains("*: done (detail of cancelAll)\n"), out.toString());
    }

    @Test
    void retryQuarantinedAsksForARunOverTheQuarantinedDocumentsOnly() {
        assertEquals(0, execute("retry", "a", "--quarantined"), err.toString());
        assertEquals(0, execute("retry", "a"), err.toString());
        assertTrue(((Command.Run) sent.get(0)).onlyQuarantined());
        assertFalse(((Command.Run) sent.get(1)).onlyQuarantined());
    }

    @Test
    void runTakesAQuarantineLimitAsACountOrAPercentageAndRefusesAnythingElse() {
        assertEquals(0, execute("run", "a", "--max-quarantined", "7"), err.toString());
        assertEquals(0, execute("run", "a", "--max-quarantined", "0.1%"), err.toString());
        assertEquals(QuarantineLimit.count(7), ((Command.Run) sent.get(0)).maxQuarantined());
        assertEquals(QuarantineLimit.percent(0.1), ((Command.Run) sent.get(1)).maxQuarantined());
        assertEquals(2, execute("run", "a", "--max-quarantined", "lots"));
        assertTrue(err.toString().contains("--max-quarantined: maxQuarantined must be a count (10) or a percentage"),
                err.toString());
        assertEquals(2, sent.size(), "nothing sent for a bad limit");
    }

    @Test
    void configureSendsOnlyTheLimitsGiven() {
        assertEquals(0, execute("configure", "a", "--max-rows-per-second", "600", "--max-concurrency", "3"), err.toString());
        Command.Configure c = (Command.Configure) sent.get(0);
        assertEquals(600, c.maxRowsPerSecond());
        assertEquals(3, c.maxConcurrency());
        assertEquals(null, c.batchSize());
        assertEquals(null, c.targetBatchMillis());
    }

    @Test
    void aRefusalIsPrintedWithItsReasonAndExitsOne() {
        coordinator = c -> List.of(new Event.CommandRejected(c.fn(), c.type(), "migration a is not running (state success)"));
        assertEquals(1, execute("pause", "a"));
        assertEquals("refused: migration a is not running (state success)\n", out.toString());
    }

    @Test
    void anAnswerToAnotherCommandIsNotTakenForThisOnesAnswer() {
        // another client's pause of the same migration is answered first: resume waits for its own answer
        coordinator = c -> List.of(new Event.CommandRejected(c.fn(), Command.Pause.TYPE, "not yours"), accepted(c));
        assertEquals(0, execute("resume", "a"), err.toString());
        assertEquals("a: done (detail of resume)\n", out.toString());
    }

    @Test
    void aCommandWithoutWhatItNeedsIsAUsageErrorAndSendsNothing() {
        assertEquals(2, execute("configure", "a"));
        assertTrue(err.toString().contains("give --batch-size, --max-rows-per-second, --target-batch-millis or"
                + " --max-concurrency"), err.toString());
        assertEquals(2, execute("cancel"));
        assertTrue(err.toString().contains("name a migration or pass --all"), "[" + err + "]");
        assertEquals(List.of(), sent);
    }
}
