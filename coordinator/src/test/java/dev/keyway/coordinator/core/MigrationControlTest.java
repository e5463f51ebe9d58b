package dev.keyway.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.coordinator.internal.SegmentPlanner;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.LastCommand;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.FakeStore;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigrationControlTest {

    private final Migration a = Migration.define("a", "users", (ctx, d) -> null).withBatchSize(10);
    private final Migration b = Migration.define("b", "users", (ctx, d) -> null);
    private final Statuses view = new Statuses();
    private final MigrationCatalog catalog = MigrationCatalog.of(List.of(a, b));
    private final CoreDriver control = new CoreDriver(view, catalog,
            Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC));
    private final SegmentPlanner planner = new SegmentPlanner(new FakeStore(100), 8);

    /** A command, and the plans it asked for made as the coordinator makes them: what both decided. */
    private Effects command(Command c) {
        return command(control, c);
    }

    private Effects command(CoreDriver control, Command c) {
        Effects fx = control.onCommand(c);
        Effects all = new Effects();
        merge(fx, all);
        for (Effect.PlanSegments p : fx.plans()) {
            SegmentPlanner.Plan plan = planner.plan(catalog.find(p.migration()).orElseThrow(), p.segments());
            merge(control.onEvent(new Event.RunPlanned(p.migration(), p.runId(), p.planId(), plan.splitPoints(), plan.rows(), null)), all);
        }
        return all;
    }

    private static void merge(Effects from, Effects into) {
        from.statuses().forEach(into::status);
        from.tasks().forEach(into::task);
        from.events().forEach(into::event);
        from.fences().forEach(into::fence);
        from.later().forEach(l -> into.later(l.task(), l.dueMillis()));
    }

    private Task.ProcessBatch onlyTask(Effects fx) {
        assertEquals(1, fx.tasks().size(), "tasks: " + fx.tasks());
        return fx.tasks().get(0);
    }

    private Effects complete(Task.ProcessBatch t, String next, int n, boolean done) {
        return control.onEvent(new Event.BatchCompleted(t.key(), next, n, done,
                false, false, List.of(), 1, "w"));
    }

    private MigrationStatus status(String name) {
        return view.find(name).orElseThrow();
    }

    @Test
    void runsBatchAfterBatchToSuccessAndThenTheNextOfTheSeries() {
        Effects fx = command(Command.Run.of("a").withNext(List.of("b")));
        Task.ProcessBatch t1 = onlyTask(fx);
        assertNull(t1.key().cursor());
        assertEquals(10, t1.batchSize());
        assertEquals("users", t1.walk(), "the rows the coordinator planned, for the worker to check");
        assertEquals(MigrationState.IN_PROGRESS, status("a").state());

        Task.ProcessBatch t2 = onlyTask(complete(t1, "[10]", 10, false));
        assertEquals("[10]", t2.key().cursor());
        Effects last = complete(t2, "[15]", 5, true);
        assertEquals(MigrationState.SUCCESS, status("a").state());
        assertTrue(status("a").isDone());
        assertEquals(15, status("a").progress().processed());
        assertEquals("b", last.plans().get(0).migration(), "the next of the series is planned");
        assertEquals(MigrationState.IN_PROGRESS, status("b").state());
    }

    @Test
    void retryQuarantinedFollowsASucceededRunWithOneSegmentOverTheQuarantineAndIsRefusedBefore() {
        Event.CommandRejected never = assertInstanceOf(Event.CommandRejected.class,
                command(Command.Run.of("a").withOnlyQuarantined(true)).events().get(0));
        assertTrue(never.reason().contains("follows a run that succeeded; it never ran"), never.reason());
        Task.ProcessBatch t1 = onlyTask(command(Command.Run.of("a").withMaxQuarantined(3L)));
        assertTrue(t1.quarantine() && !t1.onlyQuarantined());
        Event.CommandRejected running = assertInstanceOf(Event.CommandRejected.class,
                command(Command.Run.of("a").withOnlyQuarantined(true)).events().get(0));
        assertTrue(running.reason().contains("already running"), running.reason());
        complete(t1, "[15]", 15, true);
        assertEquals(MigrationState.SUCCESS, status("a").state());

        Effects retry = command(Command.Run.of("a").withOnlyQuarantined(true));
        Task.ProcessBatch q = onlyTask(retry);
        assertTrue(q.onlyQuarantined());
        assertNull(q.key().cursor());
        assertNull(q.end());
        assertTrue(status("a").run().onlyQuarantined());
        assertEquals(1, status("a").progress().segments().size());
        assertEquals(MigrationState.IN_PROGRESS, status("a").state());
        complete(q, "3", 2, true);
        assertEquals(MigrationState.SUCCESS, status("a").state());
        assertEquals(2, status("a").progress().processed());

        assertFalse(onlyTask(command(Command.Run.of("a").withStartAt(Command.StartAt.beginning()))).onlyQuarantined(),
                "a new run walks the table again");
    }

    @Test
    void aPercentageOfQuarantinedDocumentsBecomesACountOnceTheRunIsPlannedAndNeedsATotal() {
        Event.CommandRejected fromCursor = assertInstanceOf(Event.CommandRejected.class, command(Command.Run.of("a")
                .withStartAt(Command.StartAt.after("[5]")).withMaxQuarantined(QuarantineLimit.parse("5%"))).events().get(0));
        assertTrue(fromCursor.reason().contains("a percentage is of the run's rows") && fromCursor.reason()
                .contains("give a count instead"), fromCursor.reason());

        Task.ProcessBatch t = onlyTask(command(Command.Run.of("a").withMaxQuarantined(QuarantineLimit.parse("5%"))));
        assertTrue(t.quarantine());
        assertEquals(5L, status("a").run().maxQuarantined(), "5% of the 100 rows planned");
        assertEquals(5.0, status("a").run().quarantine().percent());
    }

    @Test
    void refusesASecondRunWhileOneIsInProgress() {
        command(Command.Run.of("a"));
        Effects fx = command(Command.Run.of("a"));
        assertTrue(fx.tasks().isEmpty());
        assertInstanceOf(Event.CommandRejected.class, fx.events().get(0));
    }

    @Test
    void refusesARunWhoseTablesCannotBeWalkedWithNothingChangedButAnswersAlreadyRunningFirst() {
        Task.ProcessBatch t = onlyTask(complete(onlyTask(command(Command.Run.of("a"))), "[10]", 10, false));
        control.onEvent(new Event.BatchFailed(new BatchKey("a", t.key().runId(), 0, "[10]"), "boom on id=13", "13",
                new TaskLocation("tasks", 0, 1), "w"));
        MigrationStatus failed = status("a");
        List<String> asked = new ArrayList<>();
        TableCheck keyChanged = (m, cursors) -> {
            asked.add(m.name() + cursors);
            return cursors.isEmpty() ? Optional.empty() : Optional.of("cursor " + cursors.get(0) + " does not fit");
        };
        Event.CommandRejected changed = (Event.CommandRejected) control.onCommand(Command.Run.of("a")
                .withNext(List.of("b")), keyChanged).events().get(0);
        assertEquals("cannot run a: cursor [10] does not fit; nothing was changed (the series [a, b] does not start)",
                changed.reason());
        assertEquals(List.of("a[[10]]", "b[]"), asked,
                "a resume is checked from where its segments stand, the series' next from the start: all in one question");
        TableCheck noKey = (m, cursors) -> m.name().equals("b") ? Optional.of("table \"users\" has no primary key") : Optional.empty();

        Effects series = control.onCommand(Command.Run.of("a").withNext(List.of("b")), noKey);
        Event.CommandRejected refused = (Event.CommandRejected) series.events().get(0);
        assertEquals("cannot run b: table \"users\" has no primary key; nothing was changed (the series [a, b] does not"
                + " start)", refused.reason());
        assertTrue(series.statuses().isEmpty() && series.fences().isEmpty() && series.tasks().isEmpty());
        assertEquals(failed, status("a"), "the failed run keeps its cursor for when the table is fixed");

        Effects resumed = control.onCommand(Command.Run.of("a"), noKey);
        assertEquals("resumed", ((Event.CommandAccepted) resumed.events().get(0)).action());
        TableCheck broken = (m, cursors) -> Optional.of("table \"users\" has no primary key");
        Event again = control.onCommand(Command.Run.of("a"), broken).events().get(0);
        assertTrue(((Event.CommandRejected) again).reason().contains("already running"), again.toString());
    }

    @Test
    void skipsACompletedMigrationButRunsItAgainFromTheStartWithANullCursor() {
        Task.ProcessBatch t = onlyTask(command(Command.Run.of("a")));
        complete(t, "[3]", 3, true);
        Effects skipped = command(Command.Run.of("a"));
        assertTrue(skipped.tasks().isEmpty());
        assertEquals("skipped", ((Event.CommandAccepted) skipped.events().get(0)).action());

        Task.ProcessBatch again = onlyTask(command(Command.Run.of("a").withStartAt(Command.StartAt.beginning())));
        assertNull(again.key().cursor());
        assertEquals(0, status("a").progress().processed());
    }

    @Test
    void failsOnABatchFailureAndResumesFromThatBatchWithTheSameRun() {
        Task.ProcessBatch t1 = onlyTask(command(Command.Run.of("a").withNext(List.of("b"))));
        Task.ProcessBatch t2 = onlyTask(complete(t1, "[10]", 10, false));
        Effects fx = control.onEvent(new Event.BatchFailed(new BatchKey("a", t2.key().runId(), 0, "[10]"),
                "boom on id=13", "13",
                new TaskLocation("tasks", 3, 42), "w"));
        assertTrue(fx.tasks().isEmpty(), "a series stops at a failure");
        MigrationStatus failed = status("a");
        assertEquals(MigrationState.FAILED, failed.state());
        assertEquals("[10]", failed.progress().cursor());
        assertEquals(42, failed.failure().batch().task().offset());
        assertEquals("13", failed.failure().batch().documentId());

        Task.ProcessBatch resumed = onlyTask(command(Command.Run.of("a")));
        assertEquals("[10]", resumed.key().cursor());
        assertEquals(t2.key().runId(), resumed.key().runId(),
                "a resume keeps the run, so the ledger recognises applied batches");
        assertEquals(10, status("a").progress().processed());
        assertNull(status("a").failure().error());
    }

    @Test
    void dropsDuplicateAndStaleOutcomes() {
        Task.ProcessBatch t1 = onlyTask(command(Command.Run.of("a")));
        complete(t1, "[10]", 10, false);
        Effects dup = complete(t1, "[10]", 10, false);
        assertTrue(dup.tasks().isEmpty());
        assertTrue(dup.statuses().isEmpty());
        Effects stale = control.onEvent(new Event.BatchCompleted(new BatchKey("a", "other-run", 0, "[10]"), "[20]", 10,
                false, false,
                false, List.of(), 1, "w"));
        assertTrue(stale.statuses().isEmpty());
        assertEquals(10, status("a").progress().processed());
    }

    @Test
    void cancelStopsChainingButCountsTheBatchInFlight() {
        Task.ProcessBatch t1 = onlyTask(command(Command.Run.of("a").withNext(List.of("b"))));
        command(new Command.Cancel("a"));
        assertEquals(MigrationState.CANCELED, status("a").state());
        Effects fx = complete(t1, "[10]", 10, false);
        assertTrue(fx.tasks().isEmpty());
        assertEquals(10, status("a").progress().processed());
        assertEquals("[10]", onlyTask(command(Command.Run.of("a"))).key().cursor());
    }

    @Test
    void aReplayedFailedBatchThatSucceedsPutsTheMigrationBackInProgress() {
        Task.ProcessBatch t1 = onlyTask(command(Command.Run.of("a")));
        control.onEvent(new Event.BatchFailed(new BatchKey("a", t1.key().runId(), 0, null), "boom", "1",
                new TaskLocation("tasks", 0, 7), "w"));
        Effects fx = complete(t1, "[10]", 10, false);
        assertEquals(MigrationState.IN_PROGRESS, status("a").state());
        assertEquals("[10]", onlyTask(fx).key().cursor());
    }

    @Test
    void splitsALargeTableIntoSegmentsThatRunInParallel() {
        Effects fx = command(Command.Run.of("a").withSegments(4));
        assertEquals(4, fx.tasks().size());
        assertNull(status("a").progress().cursor(), "nothing is processed yet: the overall cursor is the start");
        assertEquals(100L, status("a").progress().total());
        assertEquals(List.of("[25]", "[50]", "[75]"),
                fx.tasks().stream().skip(1).map(Task.ProcessBatch::key).map(BatchKey::cursor).toList());
        for (Task.ProcessBatch t : fx.tasks()) {
            complete(t, "[x" + t.key().segment() + "]", 25, true);
        }
        assertEquals(MigrationState.SUCCESS, status("a").state());
        assertEquals(100, status("a").progress().processed());
    }

    @Test
    void resumeKeepsTheBatchSizeOfTheRunItResumes() {
        Task.ProcessBatch t = onlyTask(command(Command.Run.of("a").withBatchSize(7)));
        command(new Command.Cancel("a"));
        complete(t, "[7]", 7, false);
        assertEquals(7, onlyTask(command(Command.Run.of("a"))).batchSize());
    }

    @Test
    void aRunWhoseTableCannotBePlannedFailsWithTheReasonInsteadOfRetryingForever() {
        Effects asked = control.onCommand(Command.Run.of("a"));
        Effect.PlanSegments p = asked.plans().get(0);
        assertTrue(asked.tasks().isEmpty(), "no task before the plan");
        Effects fx = control.onEvent(new Event.RunPlanned("a", p.runId(), p.planId(), List.of(), 0, "table \"users\" not found"));
        assertTrue(fx.tasks().isEmpty());
        assertTrue(((Event.CommandRejected) fx.events().get(0)).reason().contains("table \"users\" not found"));
        assertEquals(MigrationState.FAILED, status("a").state());
    }

    @Test
    void aPlanForARunCanceledWhilePlanningIsIgnored() {
        Effects asked = control.onCommand(Command.Run.of("a"));
        control.onCommand(new Command.Cancel("a"));
        Effects late = control.onEvent(new Event.RunPlanned("a", asked.plans().get(0).runId(), asked.plans().get(0).planId(), List.of(), 100, null));
        assertTrue(late.tasks().isEmpty());
        assertEquals(MigrationState.CANCELED, status("a").state());
    }

    @Test
    void fencesEveryStartResumeAndCancelBeforeItsTasks() {
        Effects started = command(Command.Run.of("a").withSegments(2));
        RunFence open = started.fences().get(0);
        assertTrue(open.open());
        assertEquals(status("a").run().runId(), open.runId());
        assertEquals(2, open.segments().size());
        assertEquals("[50]", open.segments().get(0).end());

        RunFence closed = control.onCommand(new Command.Cancel("a")).fences().get(0);
        assertFalse(closed.open(), "cancel closes the fence: queued tasks of the run apply nothing");

        Effects fresh = control.onCommand(Command.Run.of("a").withStartAt(Command.StartAt.beginning()));
        RunFence replaced = fresh.fences().get(0);
        assertTrue(replaced.segments().isEmpty(), "starting over replaces the old run's fence before planning");
        assertFalse(replaced.runId().equals(open.runId()));
    }

    @Test
    void aSeriesWhoseNextMigrationWasRemovedFailsThereWithAClearError() {
        Migration gone = Migration.define("gone", "users", (ctx, d) -> null);
        CoreDriver beforeTheDeploy = new CoreDriver(view, MigrationCatalog.of(List.of(a, gone, b)),
                Clock.systemUTC());
        Task.ProcessBatch t = onlyTask(beforeTheDeploy.onCommand(Command.Run.of("a").withNext(List.of("gone", "b"))
                .withStartAt(Command.StartAt.after("[0]"))));
        Effects fx = complete(t, "[3]", 3, true);
        assertEquals(MigrationState.SUCCESS, status("a").state());
        assertTrue(fx.tasks().isEmpty());
        assertEquals(MigrationState.FAILED, status("gone").state());
        assertTrue(status("gone").failure().error().contains("does not define"), status("gone").failure().error());
        assertTrue(view.find("b").isEmpty(), "the rest of the series does not run");
    }

    @Test
    void pauseClosesTheFenceCountsTheBatchInFlightAndResumeGoesOnFromEachSegmentsCursorInTheSameRun() {
        Effects started = command(Command.Run.of("a").withSegments(2).withNext(List.of("b")));
        Task.ProcessBatch first = started.tasks().get(0);
        Effects paused = control.onCommand(new Command.Pause("a"));
        assertFalse(paused.fences().get(0).open());
        assertEquals(MigrationState.PAUSED, status("a").state());
        assertEquals("paused", ((Event.CommandAccepted) paused.events().get(0)).action());

        assertTrue(complete(first, "[10]", 10, false).tasks().isEmpty(), "no new batch while paused");
        assertInstanceOf(Event.CommandRejected.class, control.onCommand(Command.Run.of("a")).events().get(0));
        assertInstanceOf(Event.CommandRejected.class, control.onCommand(new Command.Pause("a")).events().get(0));

        Effects resumed = control.onCommand(new Command.Resume("a"));
        assertTrue(resumed.fences().get(0).open());
        assertEquals(first.key().runId(), status("a").run().runId(),
                "the same run: the ledger recognises what it applied");
        assertEquals(List.of("[10]", "[50]"),
                resumed.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::cursor).toList());
        assertEquals(MigrationState.IN_PROGRESS, status("a").state());
        assertInstanceOf(Event.CommandRejected.class, control.onCommand(new Command.Resume("a")).events().get(0));
    }

    @Test
    void aMigrationWhoseLastBatchesEndedWhilePausedSucceedsOnResumeAndItsSeriesGoesOn() {
        Task.ProcessBatch only = onlyTask(command(Command.Run.of("a").withNext(List.of("b"))));
        control.onCommand(new Command.Pause("a"));
        complete(only, "[3]", 3, true);
        assertEquals(MigrationState.PAUSED, status("a").state());
        Effects resumed = control.onCommand(new Command.Resume("a"));
        assertEquals(MigrationState.SUCCESS, status("a").state());
        assertEquals("b", resumed.plans().get(0).migration());
    }

    @Test
    void configureChangesTheBatchSizeFromTheNextBatchesOfEverySegment() {
        Effects started = command(Command.Run.of("a").withSegments(2));
        Effects fx = control.onCommand(new Command.Configure("a", 33, null));
        assertEquals(33, fx.fences().get(0).batchSize());
        assertTrue(fx.fences().get(0).open());
        assertTrue(fx.tasks().isEmpty(), "no task twice: the tasks out carry on (issue 16: they replayed)");
        assertEquals(33, status("a").pace().batchSize());
        // the batch in flight finishes with its own size, and its outcome chains the new one
        assertEquals(33, onlyTask(complete(started.tasks().get(0), "[10]", 10, false)).batchSize());

        control.onCommand(new Command.Pause("a"));
        Effects whilePaused = control.onCommand(new Command.Configure("a", 44, null));
        assertTrue(whilePaused.tasks().isEmpty(), "a paused migration stays paused");
        assertFalse(whilePaused.fences().get(0).open());
        assertInstanceOf(Event.CommandRejected.class, control.onCommand(new Command.Configure("a", 0, null)).events().get(0));
        assertInstanceOf(Event.CommandRejected.class, control.onCommand(new Command.Configure("b", 5, null)).events().get(0));
    }

    @Test
    void aHealthSignalPastItsLimitPausesRunningMigrationsAndResumesOnlyThoseItPaused() {
        command(Command.Run.of("a"));
        command(Command.Run.of("b"));
        control.onCommand(new Command.Pause("b"));
        Effects lag = control.onEvent(new Event.HealthChanged("*", "w", false, "throttled: replica lag 9 > 5"));
        assertEquals(MigrationState.PAUSED, status("a").state());
        assertEquals("throttled: replica lag 9 > 5", status("a").pace().throttledBy());
        assertFalse(lag.fences().get(0).open());
        assertEquals(null, status("b").pace().throttledBy(), "paused by an operator, not by health");

        Effects back = control.onEvent(new Event.HealthChanged("*", "w", true, "replica lag 0"));
        assertEquals(MigrationState.IN_PROGRESS, status("a").state());
        assertNull(status("a").pace().throttledBy());
        assertEquals(1, back.tasks().size(), "only a goes on");
        assertEquals(MigrationState.PAUSED, status("b").state());
    }

    @Test
    void anOperatorsPauseOfAThrottledMigrationKeepsItPausedWhenHealthReturns() {
        command(Command.Run.of("a"));
        control.onEvent(new Event.HealthChanged("*", "w", false, "lag"));
        control.onCommand(new Command.Pause("a"));
        control.onEvent(new Event.HealthChanged("*", "w", true, "ok"));
        assertEquals(MigrationState.PAUSED, status("a").state());
    }

    @Test
    void aSignalThatCannotBeReadShowsInTheStatusEvenAtFullSpeedAndInAPauseHealthMadeForAnotherReason() {
        command(Command.Run.of("a"));
        String lag = "replica lag (bytes) unknown: no permission to read pg_stat_replication's LSNs (grant pg_monitor)";
        control.onEvent(new Event.HealthChanged("*", "w", true, "held at 100%; " + lag, 100, List.of(lag)));
        assertEquals(MigrationState.IN_PROGRESS, status("a").state());
        assertEquals("held at 100%; " + lag, status("a").pace().throttledBy(),
                "full speed, but the status says what it cannot see");

        control.onEvent(new Event.HealthChanged("*", "w", false, "paused: lock wait 300 > 200 (twice its limit)"));
        control.onEvent(new Event.HealthChanged("*", "w", false, "paused: lock wait 300 > 200; " + lag, 1, List.of(lag)));
        assertEquals(MigrationState.PAUSED, status("a").state());
        assertEquals("paused: lock wait 300 > 200; " + lag, status("a").pace().throttledBy());

        control.onEvent(new Event.HealthChanged("*", "w", true, "lock wait 0, replica lag (bytes) 0", 100));
        assertEquals(MigrationState.IN_PROGRESS, status("a").state(), "health paused it: health resumes it");
        assertNull(status("a").pace().throttledBy());
    }

    @Test
    void anOperatorsPauseOfASlowedDownMigrationIsTheOperatorsAndHealthDoesNotLiftIt() {
        command(Command.Run.of("a"));
        control.onEvent(new Event.HealthChanged("*", "w", true, "throttled to 25%: lock wait 40 > 25", 25));
        control.onCommand(new Command.Pause("a"));
        assertNull(status("a").pace().throttledBy(), "paused by the operator, not by health");
        control.onEvent(new Event.HealthChanged("*", "w", true, "lock wait 0: under half of each limit", 100));
        assertEquals(MigrationState.PAUSED, status("a").state());
    }

    @Test
    void aRateLimitSpacesTheBatchesOfTheWholeMigration() {
        Effects fx = command(Command.Run.of("a").withSegments(2).withLimits(new Limits(100)));
        assertEquals(1, fx.tasks().size(), "the first batch at once");
        assertEquals(1, fx.later().size(), "the second one slot later");
        assertEquals(5, fx.tasks().get(0).lease().batches(), "a second's 100 rows shared by 2 segments: 5 batches of 10");
        assertEquals(1000 + 500, fx.later().get(0).dueMillis(), "50 rows at 100 rows/s: 500 ms apart");
        assertEquals(100, status("a").pace().limits().maxRowsPerSecond());

        Effects next = complete(fx.tasks().get(0), "[50]", 50, false);
        assertEquals(1000 + 1000, next.later().get(0).dueMillis(), "charged the 50 rows it walked: a slot later");
        Effects shortOne = complete(next.later().get(0).task(), "[60]", 10, false);
        assertEquals(1000 + 1000 + 500 - 400, shortOne.later().get(0).dueMillis(),
                "a task that walked 10 of its 50 rows gives back 40 rows' time (400 ms)");

        Effects unlimited = control.onCommand(new Command.Configure("a", null, 0));
        assertNull(status("a").pace().limits());
        assertEquals(2, unlimited.tasks().size(), "without a limit every open segment goes on at once");
        assertTrue(unlimited.later().isEmpty());
        assertEquals(Pacing.BATCHES_PER_TASK, unlimited.tasks().get(0).lease().batches());
    }

    /** A clock a test moves by hand. */
    private static final class HandClock extends Clock {
        long millis = 1000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    /**
     * Walks one segment of {@code b} as a worker would, with batches sized by time that each walk 112 rows in 100 ms
     * (1,120 rows/s at full speed; a slice ends after a second), handing each task out when the coordinator said it
     * was due; returns rows/s.
     */
    private static double walk(CoreDriver c, HandClock clock, Effects first, int tasks) {
        Task.ProcessBatch t = first.tasks().isEmpty() ? first.later().get(0).task() : first.tasks().get(0);
        long due = first.tasks().isEmpty() ? first.later().get(0).dueMillis() : clock.millis;
        long from = Math.max(clock.millis, due);
        long rows = 0;
        for (int i = 0; i < tasks; i++) {
            clock.millis = Math.max(clock.millis, due);
            int batches = Math.min(t.lease().batches(), 10);
            clock.millis += batches * 100L;
            rows += batches * 112L;
            Effects next = c.onEvent(new Event.BatchCompleted(t.key(),
                    "[" + rows + "]", batches * 112, false, false, false, List.of(), batches * 100L, "w"));
            if (next.tasks().isEmpty()) {
                t = next.later().get(0).task();
                due = next.later().get(0).dueMillis();
            } else {
                t = next.tasks().get(0);
                due = clock.millis;
            }
        }
        return rows * 1000.0 / (clock.millis - from);
    }

    @Test
    void aRateLimitChargesTheRowsABatchSizedByTimeProcessedNotItsCeilingAlsoAfterConfigure() {
        // issue 16: batches of ~112 rows under a ceiling of 1000 ran at 1000/150 batches a second: 17 rows/s for 150
        HandClock clock = new HandClock();
        CoreDriver sized = new CoreDriver(view, catalog, clock, 200);
        Effects fx = command(sized, Command.Run.of("b").withSegments(1).withLimits(new Limits(600)));
        assertEquals(200, status("b").pace().limits().targetBatchMillis(), "sized by time");
        double rate = walk(sized, clock, fx, 60);
        assertTrue(Math.abs(rate - 600) <= 60, "600 rows/s asked, " + rate + " walked");
        assertEquals("rate: at most 600 rows/s", status("b").pace().limitedBy());

        Effects faster = sized.onCommand(new Command.Configure("b", null, 900));
        double after = walk(sized, clock, faster, 60);
        assertTrue(Math.abs(after - 900) <= 90, "900 rows/s asked after configure, " + after + " walked");
    }

    @Test
    void configureHandsOutAgainOnlyTheTasksThatWaitForTheirSlot() {
        Effects fx = command(Command.Run.of("a").withSegments(2).withLimits(new Limits(10)));
        assertEquals(List.of(0), fx.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList());
        assertEquals(List.of(1), fx.later().stream().map(l -> l.task().key().segment()).toList(), "a slot later");
        Effects lifted = control.onCommand(new Command.Configure("a", null, 0));
        assertEquals(List.of(1), lifted.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "segment 1's task waited for its slot: it goes now; segment 0's is out and carries on");
    }

    @Test
    void aRunWithoutAConcurrencyLimitOfItsOwnTakesTheCoordinatorsAndConfigureLiftsIt() {
        // issue 16, gentle by default: a coordinator's MAX_CONCURRENCY (2 unless at full speed)
        CoreDriver gentle = new CoreDriver(view, catalog, Clock.fixed(Instant.ofEpochMilli(1000),
                ZoneOffset.UTC), 200, false, 2);
        Effects fx = command(gentle, Command.Run.of("a").withSegments(4));
        assertEquals(List.of(0, 1), fx.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList());
        assertEquals(2, status("a").pace().limits().maxConcurrency());
        Task.ProcessBatch first = fx.tasks().get(0);
        gentle.onEvent(new Event.BatchCompleted(new BatchKey("a", first.key().runId(), 0, first.key().cursor()), "[1]",
                1, false, false, false,
                List.of(), 1, "w"));
        assertEquals("concurrency: 2 of 4 segments at once", status("a").pace().limitedBy());
        Effects all = gentle.onCommand(new Command.Configure("a", null, null, null, 0));
        assertEquals(List.of(2, 3), all.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "lifted");
        gentle.onCommand(new Command.Cancel("a"));
        command(gentle, Command.Run.of("a").withStartAt(Command.StartAt.beginning()).withSegments(4)
                .withLimits(new Limits(null, null, 3)));
        assertEquals(3, status("a").pace().limits().maxConcurrency(), "the run's own");
    }

    @Test
    void aRunFasterThanItsLimitSaysWhatHoldsItBack() {
        HandClock clock = new HandClock();
        CoreDriver sized = new CoreDriver(view, catalog, clock, 200);
        Effects fx = command(sized, Command.Run.of("b").withSegments(1).withLimits(new Limits(1_000_000)));
        walk(sized, clock, fx, 3);
        assertTrue(status("b").pace().limitedBy().startsWith("workers and database"), status("b").pace().limitedBy());
    }

    @Test
    void ratesCountTheTimeARunRanNotTheTimeItWasPaused() {
        // issue 16: latestStart stayed put over a pause, so rows/s and ETA counted the paused time
        HandClock clock = new HandClock();
        CoreDriver c = new CoreDriver(view, catalog, clock);
        Task.ProcessBatch t = onlyTask(c.onCommand(Command.Run.of("a").withStartAt(Command.StartAt.after("[0]"))));
        clock.millis += 10_000;
        t = onlyTask(c.onEvent(new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 0, t.key().cursor()),
                "[100]", 100, false, false,
                false, List.of(), 1, "w")));
        c.onCommand(new Command.Pause("a"));
        clock.millis += 50_000;
        assertEquals(10_000, status("a").run().runningMillis(clock.millis), "paused: the run's clock stands still");
        assertEquals(10.0, status("a").rowsPerSecond(clock.millis), 0.001);
        Task.ProcessBatch resumed = onlyTask(c.onCommand(new Command.Resume("a")));
        assertEquals(clock.millis, status("a").run().latestStart(), "resume starts it running again");
        clock.millis += 10_000;
        c.onEvent(new Event.BatchCompleted(new BatchKey("a", resumed.key().runId(), 0, resumed.key().cursor()),
                "[150]", 50, false, false, false,
                List.of(), 1, "w"));
        assertEquals(10_000, status("a").run().runningMillis(clock.millis));
        assertEquals(5.0, status("a").rowsPerSecond(clock.millis), 0.001, "50 rows in the 10 s since the resume");
        c.onCommand(new Command.Cancel("a"));
        clock.millis += 30_000;
        c.onCommand(Command.Run.of("a"));
        assertEquals(clock.millis, status("a").run().latestStart(),
                "resumed by run after a cancel: running again from now");
        assertEquals(150, status("a").progress().startProcessed());
    }

    @Test
    void aBatchDurationTargetGoesToTheWorkersInEveryTaskAndConfigureChangesOrRemovesIt() {
        Effects fx = command(Command.Run.of("a").withLimits(new Limits(null, 200)));
        assertEquals(200, fx.tasks().get(0).lease().targetBatchMillis());
        assertEquals(200, status("a").pace().limits().targetBatchMillis());
        control.onCommand(new Command.Configure("a", null, null, 50));
        Task.ProcessBatch faster = onlyTask(complete(fx.tasks().get(0), "[1]", 1, false));
        assertEquals(50, faster.lease().targetBatchMillis(), "from the next task");
        control.onCommand(new Command.Configure("a", null, null, 0));
        assertEquals(0, onlyTask(complete(faster, "[2]", 1, false)).lease().targetBatchMillis());
        assertNull(status("a").pace().limits(), "no limit left");
        Effects wrong = control.onCommand(new Command.Configure("a", null, null, -5));
        assertTrue(wrong.events().get(0) instanceof Event.CommandRejected r && r.reason().contains("targetBatchMillis"),
                wrong.events().toString());
    }

    @Test
    void aCoordinatorThatTakesOverHandsOutTheNextBatchesOfRunningMigrationsAgainRateLimitedOnesAtTheirPace() {
        command(Command.Run.of("a").withSegments(2).withLimits(new Limits(100)));
        command(Command.Run.of("b"));
        Effects again = control.afterTakeover();
        assertEquals(List.of("a0", "b0"), again.tasks().stream().map(t -> t.migration() + t.key().segment()).toList());
        assertEquals(List.of("a1"),
                again.later().stream().map(l -> l.task().migration() + l.task().key().segment()).toList(),
                "a's second segment a slot later");
    }

    @Test
    void aCoordinatorThatTakesOverGivesEveryOpenSegmentOfEveryRunningMigrationATaskWhateverItsPace() {
        // issue 15, 2: what only the old coordinator's memory held (a slow start's ramp, a health rest's timer)
        CoreDriver slow = new CoreDriver(view, catalog, Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC), 0, true);
        Effects fx = slow.onCommand(Command.Run.of("a").withSegments(3));
        for (Effect.PlanSegments p : fx.plans()) {
            SegmentPlanner.Plan plan = planner.plan(a, p.segments());
            fx = slow.onEvent(new Event.RunPlanned(p.migration(), p.runId(), p.planId(), plan.splitPoints(), plan.rows(), null));
        }
        assertEquals(List.of(0), fx.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "a slow start");
        slow.onEvent(new Event.HealthChanged("*", "w", true, "throttled to 10%: lag", 10));
        Effects resting = slow.onEvent(new Event.BatchCompleted(new BatchKey("a", fx.tasks().get(0).key().runId(), 0,
                null), "[5]", 5, false,
                false, false, List.of(), 400, "w"));
        assertTrue(resting.tasks().isEmpty() && resting.later().size() == 1, "segment 0 rests, in a timer only");
        slow.onCommand(Command.Run.of("b").withSegments(1));
        slow.onCommand(new Command.Pause("b"));

        // a new coordinator: the same statuses, nothing of the old one's memory
        CoreDriver next = new CoreDriver(view, catalog, Clock.fixed(Instant.ofEpochMilli(5000),
                ZoneOffset.UTC), 0, true);
        Effects again = next.afterTakeover();
        List<Task.ProcessBatch> all = new ArrayList<>(again.tasks());
        again.later().forEach(l -> all.add(l.task()));
        assertEquals(List.of("a0[5]", "a1[33]", "a2[66]"),
                all.stream().map(t -> t.migration() + t.key().segment() + t.key().cursor())
                .sorted().toList(), "every open segment of a, none of paused b");
    }

    @Test
    void aRunAfterACancelWhoseAwaitedBatchesFinishedEverySegmentSucceedsAndItsSeriesGoesOn() {
        // issue 15, 3: the batches a cancel waited for finished the run; run must not leave it inProgress for ever
        Effects started = command(Command.Run.of("a").withSegments(2).withNext(List.of("b")));
        // the batches in flight finished both segments: the closed fence moved past them, the ledger holds them
        control.fenceWriter = f -> f.open() ? f : new RunFence(f.migration(), f.runId(), f.batchSize(), false,
                f.segments().stream().map(s -> new RunFence.Segment(s.index(), s.end(), s.end(), true)).toList());
        List<String> read = new ArrayList<>();
        control.ledger = asked -> {
            read.add(asked.claim().key().segment() + " " + asked.claim().key().cursor() + " " + asked.waitedForByFence());
            return List.of(new LedgerEntry(asked.claim().key(), asked.claim().nextCursor(), 5, true));
        };
        control.onCommand(new Command.Cancel("a"));
        assertEquals(List.of("0 null true", "1 [50] true"), read, "the fence's count reads the ledger of both segments");
        assertEquals(10, status("a").progress().processed());
        assertEquals(MigrationState.CANCELED, status("a").state());
        assertTrue(status("a").progress().segments().stream().allMatch(SegmentStatus::done));

        Effects again = control.onCommand(Command.Run.of("a").withNext(List.of("b")));
        assertEquals(MigrationState.SUCCESS, status("a").state(), "nothing was left to walk");
        assertTrue(again.tasks().isEmpty());
        assertEquals("resumed", ((Event.CommandAccepted) again.events().get(0)).action());
        assertEquals("b", again.plans().get(0).migration(), "the series goes on");
    }

    @Test
    void anOperatorsPauseOfASlowedDownMigrationIsNotLiftedByHealthAndTheStatusSaysWhoPausedIt() {
        // issue 15, 4: slowed down by health (throttledBy set), then paused by an operator
        command(Command.Run.of("a"));
        control.onEvent(new Event.HealthChanged("*", "w", true, "throttled to 50%: lag", 50));
        assertEquals("throttled to 50%: lag", status("a").pace().throttledBy());
        control.onCommand(new Command.Pause("a"));
        assertEquals(MigrationStatus.PAUSED_BY_OPERATOR, status("a").run().pausedBy());
        Effects back = control.onEvent(new Event.HealthChanged("*", "w", true, "ok", 100));
        assertEquals(MigrationState.PAUSED, status("a").state(), "the operator's pause holds");
        assertTrue(back.tasks().isEmpty() && back.fences().isEmpty());

        control.onCommand(new Command.Resume("a"));
        assertNull(status("a").run().pausedBy());
        control.onEvent(new Event.HealthChanged("*", "w", false, "throttled: lag 9 > 5"));
        assertEquals(MigrationStatus.PAUSED_BY_HEALTH, status("a").run().pausedBy());
        control.onEvent(new Event.HealthChanged("*", "w", true, "lag 0"));
        assertEquals(MigrationState.IN_PROGRESS, status("a").state(), "health lifts its own pause");
        assertNull(status("a").run().pausedBy());
    }

    @Test
    void forgedDelaysAndErrorsCannotGrowAStatusAndADelayOfAStoppedRunCreatesNoWork() {
        // issue 15, 5: five batchDelayed of 200,000 characters each made every status write fail
        Effects started = command(Command.Run.of("a").withSegments(5));
        String huge = "x".repeat(200_000);
        for (Task.ProcessBatch t : started.tasks()) {
            control.onEvent(new Event.BatchDelayed(new BatchKey("a", t.key().runId(), t.key().segment(),
                    t.key().cursor()), huge, "forger"));
        }
        assertTrue(status("a").progress().segments().stream().allMatch(s -> s.delayedBy().length() <= BatchOutcomes.MAX_REASON + 20),
                "each reason bounded");
        control.onEvent(new Event.HealthChanged("*", "w", true, huge, 50));
        assertTrue(status("a").pace().throttledBy().length() <= BatchOutcomes.MAX_REASON + 20);
        Task.ProcessBatch t = started.tasks().get(0);
        control.onEvent(new Event.BatchFailed(new BatchKey("a", t.key().runId(), 0, t.key().cursor()), huge, huge,
                new TaskLocation("t", 0, 1), "w"));
        assertTrue(status("a").failure().error().length() <= BatchOutcomes.MAX_ERROR + 20);
        assertTrue(status("a").failure().batch().documentId().length() <= BatchOutcomes.MAX_ERROR + 20);

        Task.ProcessBatch bt = onlyTask(command(Command.Run.of("b")));
        control.onCommand(new Command.Pause("b"));
        Effects whilePaused = control.onEvent(new Event.BatchDelayed(new BatchKey("b", bt.key().runId(), 0,
                bt.key().cursor()), "lock", "w"));
        assertTrue(whilePaused.tasks().isEmpty() && whilePaused.later().isEmpty() && whilePaused.statuses().isEmpty(),
                "a paused run hands out no task for a delay");
    }

    @Test
    void aStatusOverItsBudgetIsWrittenWithoutWhatIsOnlyThereToBeRead() {
        List<Event.DocumentChange> changes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            changes.add(new Event.DocumentChange(String.valueOf(i),
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("v", "b".repeat(20_000)),
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("v", "a".repeat(20_000))));
        }
        MigrationStatus big = MigrationStatus.unknown("a", 10).withDryRun(null,
                new dev.keyway.message.DryRunReport(1, null, 50, "[50]", changes, null, 0));
        java.util.function.ToIntFunction<MigrationStatus> size = s -> s.toString().length();
        assertFalse(StatusBudget.fits(big, size));
        MigrationStatus fitted = StatusBudget.fit(big, size);
        assertTrue(StatusBudget.fits(fitted, size));
        assertEquals(50, fitted.dryRuns().last().omitted(), "the report says how many changes it no longer shows");
        assertEquals(50, fitted.dryRuns().last().processed());
        MigrationStatus small = MigrationStatus.unknown("a", 10);
        assertTrue(small == StatusBudget.fit(small, size), "a status within budget is written as it is");
    }

    @Test
    void aPausedMigrationCanBeCanceledAndCancelAllIncludesIt() {
        command(Command.Run.of("a"));
        control.onCommand(new Command.Pause("a"));
        Effects all = control.onCommand(new Command.CancelAll());
        assertEquals(MigrationState.CANCELED, status("a").state());
        assertFalse(all.fences().get(0).open());
    }

    @Test
    void longSplitPointsAreThinnedSoTheStatusStaysOneSmallRecord() {
        List<String> shortPoints = List.of("[1]", "[2]", "[3]");
        assertEquals(shortPoints, SplitPoints.thinned(shortPoints));
        List<String> longPoints = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            longPoints.add("[\"" + String.format("%03d", i) + "x".repeat(3_000) + "\"]");
        }
        List<String> thin = SplitPoints.thinned(longPoints);
        assertTrue(thin.size() < 30 && !thin.isEmpty(), thin.size() + " points");
        assertTrue(thin.stream().mapToLong(String::length).sum() <= SplitPoints.MAX_CHARS);
        assertEquals(thin.stream().sorted().toList(), thin, "still in order");
    }

    @Test
    void aDelayedBatchIsPublishedAgainAndTheStatusSaysWhy() {
        Task.ProcessBatch t = onlyTask(command(Command.Run.of("a")));
        Effects fx = control.onEvent(new Event.BatchDelayed(new BatchKey("a", t.key().runId(), 0, null),
                "row locked by the application", "w"));
        assertEquals(t, onlyTask(fx));
        assertEquals("row locked by the application", status("a").progress().segments().get(0).delayedBy());
        complete(t, "[10]", 10, false);
        assertNull(status("a").progress().segments().get(0).delayedBy());
    }

    @Test
    void rejectsACursorThatIsNotAKeyArray() {
        Effects fx = command(Command.Run.of("a").withStartAt(Command.StartAt.after("500")));
        assertTrue(((Event.CommandRejected) fx.events().get(0)).reason().contains("JSON array"));
    }

    @Test
    void rejectsUnknownMigrationsAndBadBatchSizes() {
        Effects unknown = command(Command.Run.of("a").withNext(List.of("nope")));
        assertTrue(((Event.CommandRejected) unknown.events().get(0)).reason().contains("unknown migration 'nope'"));
        Effects bad = command(Command.Run.of("a").withBatchSize(0));
        assertTrue(((Event.CommandRejected) bad.events().get(0)).reason().contains("batchSize must be between 1"));
        assertFalse(view.find("a").isPresent());
    }

    @Test
    void aDryRunRunsOneBatchAndRecordsItsReportWithoutChangingTheState() {
        Effects asked = command(Command.Run.of("a").withDryRun(true));
        Task.ProcessBatch t = onlyTask(asked);
        assertTrue(t.dryRun());
        assertEquals(List.of(RunFence.dryRun("a", t.key().runId(), null, 10, true)), asked.fences(),
                "fenced like a batch, apart from the run's fence");
        Effects reported = control.onEvent(new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 0, null),
                "[10]", 10, false, false,
                true, List.of(), 1, "w"));
        assertEquals(List.of(RunFence.dryRun("a", t.key().runId(), null, 0, false)), reported.fences(),
                "closed on its report");
        MigrationStatus s = status("a");
        assertEquals(MigrationState.UNKNOWN, s.state());
        assertNull(s.dryRuns().pending());
        Effects again = control.onEvent(new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 0, null), "[10]",
                10, false, false, true,
                List.of(), 1, "w"));
        assertTrue(again.fences().isEmpty() && again.statuses().isEmpty(), "a report comes once");
        assertEquals(10, s.dryRuns().last().processed());
    }

    @Test
    void pastASignalsLimitMigrationsSlowDownRestingInProportionToTheirWorkAndSpeedUpWhenHealthy() {
        Task.ProcessBatch first = onlyTask(command(Command.Run.of("a")));
        assertEquals(Pacing.BATCHES_PER_TASK, first.lease().batches());
        control.onEvent(new Event.HealthChanged("*", "w", true, "throttled to 25%: lock wait 40 > 25", 25));
        assertEquals(MigrationState.IN_PROGRESS, status("a").state(), "slowed down, not paused");
        assertEquals("throttled to 25%: lock wait 40 > 25", status("a").pace().throttledBy());

        // a task that worked 400 ms: at 25 % the segment rests 3 × 400 ms before the next one
        Effects next = control.onEvent(new Event.BatchCompleted(new BatchKey("a", first.key().runId(), 0, null),
                "[10]", 10, false, false,
                false, List.of(), 400, "w"));
        assertTrue(next.tasks().isEmpty());
        assertEquals(1000 + 1200, next.later().get(0).dueMillis());
        assertEquals(2, next.later().get(0).task().lease().batches(), "short slices while slowed down");

        control.onEvent(new Event.HealthChanged("*", "w", true, "lock wait 0: under half of each limit", 100));
        assertNull(status("a").pace().throttledBy());
        Effects fast = control.onEvent(new Event.BatchCompleted(new BatchKey("a", first.key().runId(), 0, "[10]"),
                "[20]", 10, false, false,
                false, List.of(), 400, "w"));
        assertEquals(1, fast.tasks().size(), "at full speed at once");
    }

    @Test
    void aRunWithoutABatchSizeIsSizedByTheCoordinatorsTargetUpToTenTimesTheMigrationsSize() {
        CoreDriver sized = new CoreDriver(view, catalog, Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC), 200);
        sized.onCommand(Command.Run.of("b").withSegments(1));
        assertEquals(200, status("b").pace().limits().targetBatchMillis());
        assertEquals(1000, status("b").pace().batchSize(), "b leaves the size to the coordinator: up to 10 × 100 rows");
        sized.onCommand(Command.Run.of("a").withSegments(1));
        assertNull(status("a").pace().limits(), "a's definition fixes its batches at 10 rows");
        assertEquals(10, status("a").pace().batchSize());
        sized.onCommand(new Command.Cancel("a"));
        sized.onCommand(Command.Run.of("a").withBatchSize(7).withStartAt(Command.StartAt.beginning()));
        assertNull(status("a").pace().limits(), "a batch size given: batches of that size");
        assertEquals(7, status("a").pace().batchSize());
    }

    @Test
    void underMaxConcurrencyOnlyThatManySegmentsHaveATaskAndAFinishedOneMakesWayForTheNext() {
        Effects fx = command(Command.Run.of("a").withSegments(4).withLimits(new Limits(null, null, 2)));
        assertEquals(List.of(0, 1), fx.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList());
        Task.ProcessBatch zero = fx.tasks().get(0);
        Effects more = complete(zero, "[5]", 5, false);
        assertEquals(List.of(0), more.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "its own next only");
        Effects finished = complete(more.tasks().get(0), "[9]", 4, true);
        assertEquals(List.of(2), finished.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "segment 2's turn");

        Effects all = control.onCommand(new Command.Configure("a", null, null, null, 0));
        assertEquals(List.of(3), all.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "the segment that may now go on; 1 and 2 have their tasks");
        Effects one = control.onCommand(new Command.Configure("a", null, null, null, 1));
        assertTrue(one.tasks().isEmpty(), "segment 1 has its task");
        Task.ProcessBatch three = all.tasks().get(0);
        assertTrue(complete(three, "[30]", 3, false).tasks().isEmpty(), "segment 3 waits for its turn");
        assertEquals(1, status("a").pace().limits().maxConcurrency());
    }

    @Test
    void slowedDownFewerSegmentsGoOnAtOnceAndMoreAgainWhenTheShareGrows() {
        Effects fx = command(Command.Run.of("a").withSegments(4));
        assertEquals(4, fx.tasks().size());
        control.onEvent(new Event.HealthChanged("*", "w", true, "throttled to 50%: x", 50));
        Task.ProcessBatch three = fx.tasks().get(3);
        assertTrue(complete(three, "[80]", 5, false).tasks().isEmpty() && complete(three, "[80]", 5, false).later().isEmpty(),
                "segment 3 stops after its task: half of 4 segments go on");
        Effects zero = complete(fx.tasks().get(0), "[5]", 5, false);
        assertEquals(List.of(0), zero.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "at full pace, no rest");

        Effects back = control.onEvent(new Event.HealthChanged("*", "w", true, "ok", 100));
        assertEquals(List.of(2, 3), back.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "the segments that stopped go on again");
    }

    @Test
    void watchingHealthANewRunStartsWithOneSegmentAndAddsOneWithEachOutcome() {
        CoreDriver slow = new CoreDriver(view, catalog, Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC), 0, true);
        Effects fx = slow.onCommand(Command.Run.of("a").withSegments(4));
        for (Effect.PlanSegments p : fx.plans()) {
            SegmentPlanner.Plan plan = planner.plan(a, p.segments());
            fx = slow.onEvent(new Event.RunPlanned(p.migration(), p.runId(), p.planId(), plan.splitPoints(), plan.rows(), null));
        }
        assertEquals(List.of(0), fx.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList(),
                "one segment first");
        Task.ProcessBatch t = fx.tasks().get(0);
        Effects second = slow.onEvent(new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 0, null), "[5]", 5,
                false, false, false,
                List.of(), 10, "w"));
        assertEquals(List.of(0, 1),
                second.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList());
        Effects third = slow.onEvent(new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 1,
                second.tasks().get(1).key().cursor()), "[30]", 5,
                false, false, false, List.of(), 10, "w"));
        assertEquals(List.of(1, 2), third.tasks().stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList());
    }

    @Test
    void aMigrationWhoseStatusIsOfAnotherDatabaseIsLeftAloneAndNewStatusesRecordThisOne() {
        control.useDatabase("db-B");
        view.put(MigrationStatus.unknown("a", 10).change().state(MigrationState.SUCCESS).database("db-A").build());
        Effects run = control.onCommand(Command.Run.of("a"));
        Event.CommandRejected r = assertInstanceOf(Event.CommandRejected.class, run.events().get(0));
        assertTrue(r.reason().contains("belongs to another database (db-A; this coordinator's is db-B)"), r.reason());
        assertTrue(run.tasks().isEmpty() && run.statuses().isEmpty() && run.fences().isEmpty() && run.plans().isEmpty());
        for (Command c : List.of(new Command.Cancel("a"), new Command.Pause("a"), new Command.Resume("a"),
                new Command.Configure("a", 5, null), Command.Run.of("a").withStartAt(Command.StartAt.beginning()))) {
            assertInstanceOf(Event.CommandRejected.class, control.onCommand(c).events().get(0), c.toString());
        }
        assertEquals(MigrationState.SUCCESS, status("a").state());

        command(Command.Run.of("b"));
        assertEquals("db-B", status("b").run().database());
        Effects all = control.onCommand(new Command.CancelAll());
        assertEquals(List.of("b"), all.statuses().stream().map(MigrationStatus::name).toList(), "not a's");
    }

    @Test
    void theStatusRecordsTheLatestCommandAndWhoAskedForIt() {
        command(Command.Run.of("a").withRequestedBy("dev@laptop"));
        assertEquals(new LastCommand("run", "dev@laptop", 1000), status("a").lastCommand());
        control.onCommand(new Command.Pause("a", "ops@bastion"));
        assertEquals(new LastCommand("pause", "ops@bastion", 1000), status("a").lastCommand());
        control.onCommand(new Command.Configure("a", 5, null, null, null, "ops@bastion"));
        assertEquals("configure", status("a").lastCommand().command());
        control.onCommand(new Command.Resume("a"));
        assertEquals(new LastCommand("resume", null, 1000), status("a").lastCommand(), "nobody said who");
        control.onCommand(new Command.CancelAll("pager@oncall"));
        assertEquals(new LastCommand("cancelAll", "pager@oncall", 1000), status("a").lastCommand());
        assertEquals("dev@laptop", status("a").run().requestedBy(), "who started the run stays");
        control.onCommand(new Command.Pause("a", "someone"));
        assertEquals("cancelAll", status("a").lastCommand().command(), "a refused command changes nothing");
    }
}
