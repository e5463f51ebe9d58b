package dev.keyway.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.message.BatchSizing;
import dev.keyway.message.Command;
import dev.keyway.message.DryRunReport;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

    private final JsonCodec codec = new JsonCodec();

    private Command command(String json) {
        return codec.decodeCommand(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheRunnerArgumentsOfTheComponent() {
        Command.Run r = (Command.Run) command(
                "{\"type\":\"run\",\"fn\":\"setDefaultValue\",\"next\":[\"clearField\"],\"cursor\":null,\"batchSize\":500,\"dryRun\":false}");
        assertEquals("setDefaultValue", r.fn());
        assertEquals(List.of("clearField"), r.next());
        assertEquals(Command.StartAt.beginning(), r.startAt());
        assertEquals(500, r.batchSize());
    }

    @Test
    void tellsAnAbsentCursorFromANullOne() {
        assertNull(((Command.Run) command("{\"type\":\"run\",\"fn\":\"a\"}")).startAt());
        assertEquals("[5]", ((Command.Run) command("{\"type\":\"run\",\"fn\":\"a\",\"cursor\":\"[5]\"}")).startAt().cursor());
    }

    @Test
    void roundTripsCommands() {
        Command.Run r = Command.Run.of("a").withNext(List.of("b")).withStartAt(Command.StartAt.after("[1]"))
                .withBatchSize(5).withDryRun(true).withSegments(3).withRequestedBy("me");
        assertEquals(r, codec.decodeCommand(codec.encode(r)));
        assertEquals(new Command.Cancel("a"), codec.decodeCommand(codec.encode(new Command.Cancel("a"))));
        assertEquals(new Command.CancelAll(), codec.decodeCommand(codec.encode(new Command.CancelAll())));
    }

    @Test
    void aRunCarriesItsQuarantineLimitAndRefusesANegativeOne() {
        Command.Run r = Command.Run.of("a").withMaxQuarantined(7L).withOnlyQuarantined(true);
        assertTrue(new String(codec.encode(r), StandardCharsets.UTF_8).contains("\"maxQuarantined\":7"));
        assertEquals(r, codec.decodeCommand(codec.encode(r)));
        assertNull(((Command.Run) command("{\"type\":\"run\",\"fn\":\"a\"}")).maxQuarantined());
        Command.Run percent = Command.Run.of("a").withMaxQuarantined(QuarantineLimit.parse("0.1%"));
        assertTrue(new String(codec.encode(percent), StandardCharsets.UTF_8).contains("\"maxQuarantined\":\"0.1%\""));
        assertEquals(percent, codec.decodeCommand(codec.encode(percent)));
        assertEquals(20L, percent.maxQuarantined().countOf(20_000L));
        assertEquals(1L, percent.maxQuarantined().countOf(10L), "at least one");
        assertNull(percent.maxQuarantined().countOf(null));
        assertTrue(assertThrows(MalformedMessageException.class,
                () -> command("{\"type\":\"run\",\"fn\":\"a\",\"maxQuarantined\":\"many\"}")).getMessage()
                .contains("or a percentage of the run's rows"));
        assertThrows(MalformedMessageException.class,
                () -> command("{\"type\":\"run\",\"fn\":\"a\",\"maxQuarantined\":\"0%\"}"));
        assertTrue(assertThrows(MalformedMessageException.class,
                () -> command("{\"type\":\"run\",\"fn\":\"a\",\"maxQuarantined\":-1}")).getMessage()
                .contains("'maxQuarantined' must be a count of at least 0"));
    }

    @Test
    void anOutcomeCarriesWhatItQuarantined() {
        Event.BatchCompleted c = new Event.BatchCompleted(new BatchKey("a", "r", 0, null), "[9]", 9,
                true, false, false, List.of(), 0, 5, "w", 2, List.of("3", "7"));
        assertEquals(c, codec.decodeEvent(codec.encode(c)));
    }

    @Test
    void roundTripsListAndItsAnswerAndRefusesAStrangersListing() {
        Command.ListMigrations list = new Command.ListMigrations("req-1", "me");
        assertEquals(list, codec.decodeCommand(codec.encode(list)));
        assertEquals(new Command.ListMigrations(null, null), command("{\"type\":\"list\"}"));
        assertTrue(assertThrows(MalformedMessageException.class, () -> command("{\"type\":\"list\",\"requestId\":\""
                + "x".repeat(65) + "\"}")).getMessage().contains("'requestId' must be at most 64"));

        Event.MigrationsListed listed = new Event.MigrationsListed("*", "req-1", List.of(
                new Event.Definition("a", "users", List.of("id"), new BatchSizing(1000, 200), null, false, 0),
                new Event.Definition("b", "orders", null, new BatchSizing(500, null), "created from 10", true, 4)), 3);
        assertEquals(listed, codec.decodeEvent(codec.encode(listed)));

        // another program's record of that type: no name, no sizing, or nonsense sizes are not a listing
        for (String stranger : List.of("{\"type\":\"migrationsListed\",\"migrations\":[{\"table\":\"t\"}]}",
                "{\"type\":\"migrationsListed\",\"migrations\":[{\"name\":\"a\",\"table\":\"t\"}]}",
                "{\"type\":\"migrationsListed\",\"migrations\":[{\"name\":\"a\",\"table\":\"t\",\"sizing\":{\"maxRows\":0}}]}",
                "{\"type\":\"migrationsListed\",\"migrations\":\"all\"}")) {
            assertThrows(MalformedMessageException.class, () -> codec.decodeEvent(stranger.getBytes(StandardCharsets.UTF_8)),
                    stranger);
        }
        Event.MigrationsListed holes = (Event.MigrationsListed) codec.decodeEvent(
                "{\"type\":\"migrationsListed\",\"migrations\":[null]}".getBytes(StandardCharsets.UTF_8));
        assertTrue(holes.migrations().isEmpty(), "a null entry is dropped, not handed to a reader");
    }

    @Test
    void explainsWhatIsWrongWithAMalformedCommand() {
        assertTrue(assertThrows(MalformedMessageException.class, () -> command("not json")).getMessage()
                .contains("not valid JSON"));
        assertTrue(assertThrows(MalformedMessageException.class, () -> command("{\"type\":\"run\"}")).getMessage()
                .contains("missing the field 'fn'"));
        assertTrue(assertThrows(MalformedMessageException.class, () -> command("{\"type\":\"jump\",\"fn\":\"a\"}"))
                .getMessage().contains("expected run, cancel, cancelAll, pause, resume, configure or list"));
        assertTrue(assertThrows(MalformedMessageException.class,
                () -> command("{\"type\":\"run\",\"fn\":\"a\",\"batchSize\":\"big\"}")).getMessage()
                .contains("'batchSize' must be an integer"));
    }

    @Test
    void readsPauseAndResumeAndWritesThemBack() {
        assertEquals(new Command.Pause("a"), command("{\"type\":\"pause\",\"fn\":\"a\"}"));
        assertEquals(new Command.Resume("a"), command("{\"type\":\"resume\",\"fn\":\"a\"}"));
        assertEquals(new Command.Pause("a"), codec.decodeCommand(codec.encode(new Command.Pause("a"))));
        assertEquals(new Command.Resume("a"), codec.decodeCommand(codec.encode(new Command.Resume("a"))));
        assertEquals(MigrationState.PAUSED, MigrationState.fromJson("paused"));
        assertEquals(new Command.Configure("a", 250, null), command("{\"type\":\"configure\",\"fn\":\"a\",\"batchSize\":250}"));
        assertEquals(new Command.Configure("a", 7, null), codec.decodeCommand(codec.encode(new Command.Configure("a", 7, null))));
        assertThrows(MalformedMessageException.class, () -> command("{\"type\":\"configure\",\"fn\":\"a\"}"));
        assertEquals(new Command.Configure("a", null, 0), command("{\"type\":\"configure\",\"fn\":\"a\",\"maxRowsPerSecond\":0}"));
        Command.Run limited = Command.Run.of("a").withLimits(new Limits(500));
        assertEquals(limited, codec.decodeCommand(codec.encode(limited)));
        assertTrue(assertThrows(MalformedMessageException.class, () -> command(
                "{\"type\":\"run\",\"fn\":\"a\",\"maxRowsPerSecond\":-1}")).getMessage().contains("maxRowsPerSecond"));
    }

    @Test
    void roundTripsTasksEventsAndStatus() {
        Task.ProcessBatch t = new Task.ProcessBatch(new BatchKey("a", "r1", 2, "[4]"), "[9]", 100, false);
        assertEquals(t, codec.decodeTask(codec.encode(t)));
        Task.ProcessBatch walked = t.withWalk("users where role in [a, m]");
        assertEquals(walked, codec.decodeTask(codec.encode(walked)));
        assertEquals("users where role in [a, m]", Task.walkOf(dev.keyway.migration.Migration.define("x", "users",
                (ctx, d) -> null).withCustomRange(dev.keyway.migration.CustomRange.between("role", "a", "m"))));
        Event e = new Event.BatchFailed(new BatchKey("a", "r1", 2, "[4]"), "boom", "7", new TaskLocation("t", 1, 9),
                "w1");
        assertEquals(e, codec.decodeEvent(codec.encode(e)));
        for (Event other : List.of(new Event.BatchSkipped(new BatchKey("a", "r1", 2, "[4]"), "stale", "w1"),
                new Event.BatchDelayed(new BatchKey("a", "r1", 2, null), "locked", "w1"),
                new Event.RunPlanned("a", "r2", "p1", List.of("[5]", "[9]"), 12, null),
                new Event.HealthChanged("*", "w1", false, "throttled: replica lag 9 bytes > 5 bytes"),
                new Event.HealthChanged("*", "w1", true, "held at 50%; lag unknown: no grant", 50,
                        List.of("lag unknown: no grant")))) {
            assertEquals(other, codec.decodeEvent(codec.encode(other)));
        }
        MigrationStatus s = MigrationStatus.unknown("a", 100)
                .started("r1", List.of(new SegmentStatus(0, null, null, "[3]", 3, false, "locked")), 100, List.of("b"), "me", 1000L, 5);
        MigrationStatus back = codec.decodeStatus(codec.encode(s));
        assertEquals(s, back);
        String json = new String(codec.encode(s), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"state\":\"inProgress\""), json);
        assertTrue(json.contains("\"isDone\":false"), json);
        assertEquals(MigrationState.IN_PROGRESS, back.state());
    }

    @Test
    void aDryRunReportKeepsEveryDigitOfANumericValue() {
        BigDecimal key = new BigDecimal("12345678901234567890.0000000001");
        ObjectNode before = JsonNodeFactory.instance.objectNode().put("id", key).put("counter", 0);
        ObjectNode after = before.deepCopy().put("counter", 1);
        Event dry = new Event.BatchCompleted(new BatchKey("a", "dry-1", 0, null), "[12345678901234567890.0000000001]",
                1, true, false,
                true, List.of(new Event.DocumentChange(key.toPlainString(), before, after)), 3, "w1");
        Event.BatchCompleted back = (Event.BatchCompleted) codec.decodeEvent(codec.encode(dry));
        BigDecimal read = back.changes().get(0).before().get("id").decimalValue();
        assertEquals(0, key.compareTo(read), "read back as " + read);
    }

    @Test
    void aStatusCarriesItsSchemaVersionAndOneOfAnotherVersionOrUnderAnotherKeyIsRefused() {
        MigrationStatus s = MigrationStatus.unknown("a", 100);
        String json = new String(codec.encode(s), StandardCharsets.UTF_8);
        assertTrue(json.endsWith(",\"schemaVersion\":1}"), json);
        assertEquals(s, codec.decodeStatus("a", codec.encode(s)));
        String older = json.replace(",\"schemaVersion\":1", "");
        assertEquals(s, codec.decodeStatus("a", older.getBytes(StandardCharsets.UTF_8)), "written before the field");
        for (String other : List.of("99", "\"1\"", "null")) {
            byte[] future = json.replace("\"schemaVersion\":1", "\"schemaVersion\":" + other).getBytes(StandardCharsets.UTF_8);
            assertTrue(assertThrows(MalformedMessageException.class, () -> codec.decodeStatus("a", future)).getMessage()
                    .contains("schemaVersion " + other), other);
        }
        assertThrows(MalformedMessageException.class, () -> codec.decodeStatus("b", codec.encode(s)));
        assertThrows(MalformedMessageException.class, () -> codec.decodeStatus(null, codec.encode(s)));
        assertTrue(codec.pretty(s).contains("\"schemaVersion\" : 1"), "people see the fields of the wire");
    }

    @Test
    void anEventWithoutAKnownTypeSaysWhichTypesThereAre() {
        MalformedMessageException none = assertThrows(MalformedMessageException.class,
                () -> codec.decodeEvent("{\"migration\":\"a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(none.getMessage().startsWith("an event needs a string field 'type': expected one of ["),
                none.getMessage());
        MalformedMessageException unknown = assertThrows(MalformedMessageException.class,
                () -> codec.decodeEvent("{\"type\":\"batchExploded\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(unknown.getMessage().startsWith("unknown event type 'batchExploded': expected one of ["),
                unknown.getMessage());
    }

    @Test
    void anEventLargerThanTheLimitIsRefusedUnreadWithAShortMessage() {
        String error = "e".repeat(Event.MAX_BYTES);
        byte[] big = codec.encode(new Event.BatchFailed(new BatchKey("a", "r1", 0, null), error, null, null, "w1"));
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> codec.decodeEvent(big));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        byte[] fits = codec.encode(new Event.BatchFailed(new BatchKey("a", "r1", 0, null), "e".repeat(200_000), null,
                null, "w1"));
        assertEquals(200_000, ((Event.BatchFailed) codec.decodeEvent(fits)).error().length());
    }

    @Test
    void aDryRunOutcomeAndReportCarryTheCountOfChangesLeftOut() {
        Event.BatchCompleted dry = new Event.BatchCompleted(new BatchKey("a", "dry-1", 0, null), "[9]", 9, false,
                false, true,
                List.of(), 7, 5, "w1");
        assertEquals(dry, codec.decodeEvent(codec.encode(dry)));
        byte[] older = new String(codec.encode(dry), StandardCharsets.UTF_8).replace("\"omitted\":7,", "")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(0, ((Event.BatchCompleted) codec.decodeEvent(older)).omitted(), "absent reads as none left out");
        MigrationStatus s = MigrationStatus.unknown("a", 100)
                .withDryRun(null, new DryRunReport(1L, null, 9, "[9]", List.of(), null, 7));
        assertEquals(s, codec.decodeStatus("a", codec.encode(s)));
    }

    @Test
    void everyCommandCarriesWhoAskedForIt() {
        for (Command c : List.of(new Command.Cancel("a", "ops@host1"), new Command.Pause("a", "ops@host1"),
                new Command.Resume("a", "ops@host1"), new Command.Configure("a", 5, 0, 10, 2, "ops@host1"),
                new Command.CancelAll("ops@host1"), Command.Run.of("a").withRequestedBy("ops@host1"))) {
            Command back = codec.decodeCommand(codec.encode(c));
            assertEquals(c, back);
            assertEquals("ops@host1", back.requestedBy());
        }
        assertEquals(null, codec.decodeCommand("{\"type\":\"pause\",\"fn\":\"a\"}".getBytes(StandardCharsets.UTF_8))
                .requestedBy(), "absent: nobody said");
        assertThrows(MalformedMessageException.class, () -> codec.decodeCommand(
                "{\"type\":\"cancel\",\"fn\":\"a\",\"requestedBy\":\"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8)));
    }
}
