package dev.keyway.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.message.BatchSizing;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Task;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the coordinator answers an operator: {@code list}, and how a run's or a configure's answer sizes batches. */
class OperatorAnswersTest {

    /** Left to the coordinator: sized by its target (200 ms), up to ten times its batch size. */
    private final Migration byTime = Migration.define("byTime", "users", (ctx, d) -> null);
    private final Migration fixed = Migration.define("fixed", "public.orders", (ctx, d) -> null).withBatchSize(500)
            .withParallelize(true).withSegments(4).withCustomRange(CustomRange.between("created", 10, null));
    private final Migration admins = Migration.define("admins", "users", (ctx, d) -> null)
            .withCustomRange(CustomRange.eq("role", "admin"));
    private final Statuses view = new Statuses();

    private CoreDriver control(Migration... migrations) {
        return new CoreDriver(view, MigrationCatalog.of(List.of(migrations)),
                Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC), 200);
    }

    /** Key columns as the database would give them: the range's column first. */
    private static final TableCheck KEYS = new TableCheck() {
        @Override
        public Optional<String> problem(Migration m, List<String> cursors) {
            return Optional.empty();
        }

        @Override
        public Optional<List<String>> keyColumns(Migration m) {
            return Optional.of(m.customRange() == null ? List.of("id") : List.of(m.customRange().column(), "id"));
        }
    };

    @Test
    void listNamesEveryDefinitionWithItsWalkAndSizingAndChangesNothing() {
        Effects fx = control(byTime, fixed, admins).onCommand(new Command.ListMigrations("req-1", "ops@host"), KEYS);

        assertTrue(fx.statuses().isEmpty() && fx.tasks().isEmpty() && fx.fences().isEmpty() && fx.plans().isEmpty(),
                "list changes nothing");
        assertTrue(view.all().isEmpty(), "no status appears for a migration that never ran");
        Event.MigrationsListed listed = assertInstanceOf(Event.MigrationsListed.class, fx.events().get(0));
        assertEquals("*", listed.migration());
        assertEquals("req-1", listed.requestId(), "the client takes its own answer");
        assertEquals(List.of("admins", "byTime", "fixed"), listed.migrations().stream().map(Event.Definition::name).toList());
        assertEquals(0, listed.omitted());

        Event.Definition a = listed.migrations().get(0);
        assertEquals("role = admin", a.range());
        assertEquals(List.of("role", "id"), a.keyColumns());
        Event.Definition t = listed.migrations().get(1);
        assertEquals(new BatchSizing(1000, 200), t.sizing(), "a run of it would be sized by the coordinator's target");
        assertNull(t.range(), "the whole table");
        Event.Definition f = listed.migrations().get(2);
        assertEquals("public.orders", f.table());
        assertEquals(new BatchSizing(500, null), f.sizing(), "its own batch size: batches of exactly that");
        assertEquals("created from 10", f.range());
        assertTrue(f.parallelize());
        assertEquals(4, f.segments());
    }

    @Test
    void listShowsKeyColumnsAsUnknownWhenTheDatabaseCannotBeAsked() {
        Effects fx = control(byTime).onCommand(new Command.ListMigrations(null, null), TableCheck.NONE);
        Event.MigrationsListed listed = (Event.MigrationsListed) fx.events().get(0);
        assertNull(listed.migrations().get(0).keyColumns(), "unknown, not an empty key");
    }

    @Test
    void listIsBoundedAndCountsWhatItLeftOut() {
        Migration[] many = IntStream.range(0, Event.MigrationsListed.MAX_LISTED + 7)
                .mapToObj(i -> Migration.define(String.format("m%04d", i), "t".repeat(5_000), (ctx, d) -> null))
                .toArray(Migration[]::new);
        Event.MigrationsListed listed = (Event.MigrationsListed) control(many)
                .onCommand(new Command.ListMigrations(null, null), KEYS).events().get(0);
        assertEquals(Event.MigrationsListed.MAX_LISTED, listed.migrations().size());
        assertEquals(7, listed.omitted());
        assertTrue(listed.migrations().get(0).table().length() < 250, "a long table name is cut short");
    }

    @Test
    void aRunSizedByTimeSaysSoInsteadOfABatchSize() {
        CoreDriver control = control(byTime, fixed);
        Effects fx = control.onCommand(Command.Run.of("byTime"));
        assertEquals("planning segments, sized by time: target 200 ms, at most 1000 rows, from the start",
                ((Event.CommandAccepted) fx.events().get(0)).detail());

        Effects own = control.onCommand(Command.Run.of("fixed"));
        assertEquals("planning segments, batch size 500, from the start",
                ((Event.CommandAccepted) own.events().get(0)).detail());
    }

    @Test
    void aConfigureThatSizesByTimeSaysSo() {
        CoreDriver control = control(fixed);
        control.onCommand(Command.Run.of("fixed").withStartAt(Command.StartAt.after("[1]")));
        Effects fx = control.onCommand(new Command.Configure("fixed", null, null, 50));
        assertTrue(((Event.CommandAccepted) fx.events().get(0)).detail()
                .startsWith("sized by time: target 50 ms, at most 500 rows, no rate limit"), fx.events().toString());
    }

    @Test
    void aCompletedMigrationsAnswerNamesTheFlagAndTheCommandsField() {
        CoreDriver control = control(fixed);
        Effects started = control.onCommand(Command.Run.of("fixed").withStartAt(Command.StartAt.after("[1]")));
        List<Task.ProcessBatch> tasks = new ArrayList<>(started.tasks());
        Task.ProcessBatch t = tasks.get(0);
        control.onEvent(new Event.BatchCompleted(t.key(), "[3]", 2, true,
                false, false, List.of(), 1, "w"));
        Event.CommandAccepted skipped = (Event.CommandAccepted) control.onCommand(Command.Run.of("fixed")).events().get(0);
        assertEquals("skipped", skipped.action());
        assertEquals("already completed; to run it again from the start, give --from-start (in a command:"
                + " \"cursor\": null)", skipped.detail());
    }
}
