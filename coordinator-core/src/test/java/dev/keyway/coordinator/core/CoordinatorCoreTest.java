package dev.keyway.coordinator.core;

import static dev.keyway.coordinator.core.StepEffects.all;
import static dev.keyway.coordinator.core.StepEffects.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The core as a function: (state, input) in, (state, effects) out, and nothing else. */
class CoordinatorCoreTest {

    private final Migration a = Migration.define("a", "users", (ctx, d) -> null).withBatchSize(10);
    private final CoordinatorCore core = new CoordinatorCore(MigrationCatalog.of(List.of(a)),
            CoreSettings.defaults().withHealthWatchId("watch-1"));
    private final CoordinatorState initial = CoordinatorState.initial("seed-1");

    /** A run of a from cursor [0]: asked about its table, answered that it can be walked. */
    private Step started(CoordinatorState state) {
        Step asked = core.step(state, new Input.CommandReceived(Command.Run.of("a")
                .withStartAt(Command.StartAt.after("[0]")), 1000));
        Effect.CheckTables check = only(asked, Effect.CheckTables.class);
        return core.step(asked.state(), new Input.TablesChecked(check, List.of(Optional.empty()), List.of(), 1000));
    }

    @Test
    void aRunAsksAboutItsTablesFirstAndChangesNothingUntilTheAnswerComes() {
        Step asked = core.step(initial, new Input.CommandReceived(Command.Run.of("a")
                .withStartAt(Command.StartAt.after("[0]")), 1000));
        assertEquals(1, asked.effects().size(), asked.effects().toString());
        Effect.CheckTables check = only(asked, Effect.CheckTables.class);
        assertEquals(List.of(new Effect.Walk(a, List.of("[0]"))), check.walks(), "its table, from the cursor given");
        assertEquals(initial, asked.state());

        Step refused = core.step(asked.state(), new Input.TablesChecked(check, List.of(Optional.of("no primary key")),
                List.of(), 1000));
        Event.CommandRejected no = assertInstanceOf(Event.CommandRejected.class, only(refused, Effect.Answer.class).event());
        assertEquals("cannot run a: no primary key; nothing was changed", no.reason());
        assertEquals(1, refused.effects().size(), "nothing fenced, written or published");
        assertEquals(initial, refused.state());
    }

    @Test
    void aStartFencesTheRunBeforeItsTaskAndStampsTheInputsTime() {
        Step started = started(initial);
        assertInstanceOf(Effect.WriteFence.class, started.effects().get(0), "the fence first");
        assertTrue(only(started, Effect.WriteFence.class).fence().open());
        Task.ProcessBatch task = only(started, Effect.PublishTask.class).task();
        assertEquals("[0]", task.key().cursor());
        assertEquals(1000, only(started, Effect.PublishStatus.class).status().updatedAt(), "the input's time");
        assertEquals(MigrationState.IN_PROGRESS, started.state().find("a").orElseThrow().state());
        assertTrue(initial.statuses().isEmpty(), "the state it was given is left as it was");
    }

    @Test
    void theSameInputOnTheSameStateGivesTheSameStep() {
        CoordinatorState running = started(initial).state();
        Task.ProcessBatch t = running.find("a").map(st -> RunBook.fence(st,
                true)).map(f -> new Task.ProcessBatch(new BatchKey("a",
                f.runId(), 0, "[0]"), null, 10, false)).orElseThrow();
        Event.BatchCompleted claim = new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 0, "[0]"), "[30]", 30,
                false, false, false,
                List.of(), 300, "w");
        Input read = new Input.LedgerRead(new Effect.ReadLedger(claim, false), List.of(
                new LedgerEntry(claim.key(), "[10]", 10, false)), 2000);

        Step once = core.step(running, read);
        Step again = core.step(running, read);
        assertEquals(once, again);
        assertEquals(started(initial).state(), running, "stepping left the state as it was");
        assertEquals(started(initial), started(initial), "a start too: the run's id comes from the state's seed");
    }

    @Test
    void anOutcomeCountsOnlyAsTheLedgerRecordedIt() {
        CoordinatorState running = started(initial).state();
        String runId = running.find("a").orElseThrow().run().runId();
        Event.BatchCompleted claim = new Event.BatchCompleted(new BatchKey("a", runId, 0, "[0]"), "[30]", 30, false,
                false, false,
                List.of(), 300, "w");
        Step asked = core.step(running, new Input.EventReceived(claim, 2000));
        assertEquals(List.of(new Effect.ReadLedger(claim, false)), asked.effects());
        assertSame(running.statuses(), asked.state().statuses(), "nothing changed before the ledger answers");

        Step forged = core.step(asked.state(), new Input.LedgerRead(new Effect.ReadLedger(claim, false), List.of(), 2000));
        assertEquals(Effect.Level.WARN, only(forged, Effect.Dropped.class).level());
        assertEquals(Effect.Kind.FORGED, only(forged, Effect.Dropped.class).kind());
        assertTrue(all(forged, Effect.PublishStatus.class).isEmpty());

        Step counted = core.step(asked.state(), new Input.LedgerRead(new Effect.ReadLedger(claim, false), List.of(
                new LedgerEntry(claim.key(), "[10]", 10, false)), 2000));
        assertEquals(10, only(counted, Effect.PublishStatus.class).status().progress().processed(),
                "only as far as the ledger goes");
        assertEquals("[10]", only(counted, Effect.PublishTask.class).task().key().cursor());
        assertEquals(new Effect.BatchesTimed(300, 1), only(counted, Effect.BatchesTimed.class));
    }

    /** A run of a from [0] with quarantine limit {@code max}, and what an outcome of it with 2 set aside does. */
    private Step quarantinedTwo(Long max, CoordinatorState[] after) {
        Step asked = core.step(initial, new Input.CommandReceived(Command.Run.of("a")
                .withStartAt(Command.StartAt.after("[0]")).withMaxQuarantined(max), 1000));
        Step started = core.step(asked.state(), new Input.TablesChecked(only(asked, Effect.CheckTables.class),
                List.of(Optional.empty()), List.of(), 1000));
        assertEquals(max != null && max > 0, only(started, Effect.PublishTask.class).task().quarantine(),
                "the task says whether to quarantine");
        String runId = started.state().find("a").orElseThrow().run().runId();
        Event.BatchCompleted claim = new Event.BatchCompleted(new BatchKey("a", runId, 0, "[0]"), "[10]", 10, false,
                false, false, List.of(), 0, 300, "w", 99, List.of("3", "7"));
        Step asking = core.step(started.state(), new Input.EventReceived(claim, 2000));
        Step counted = core.step(asking.state(), new Input.LedgerRead(new Effect.ReadLedger(claim, false), List.of(
                new LedgerEntry(claim.key(), "[10]", 10, false, 2)), 2000));
        after[0] = counted.state();
        return counted;
    }

    @Test
    void quarantinedDocumentsCountAsTheLedgerRecordedThemAndPastTheLimitTheRunFailsNamingThem() {
        CoordinatorState[] after = new CoordinatorState[1];
        Step within = quarantinedTwo(5L, after);
        MigrationStatus st = only(within, Effect.PublishStatus.class).status();
        assertEquals(2, st.progress().quarantined(), "the ledger's 2, not the claim's 99");
        assertEquals(5L, st.run().maxQuarantined());
        assertEquals(MigrationState.IN_PROGRESS, st.state());

        Step over = quarantinedTwo(1L, after);
        MigrationStatus failed = only(over, Effect.PublishStatus.class).status();
        assertEquals(MigrationState.FAILED, failed.state());
        assertTrue(failed.failure().error().contains("2 documents quarantined, over the run's limit of 1")
                && failed.failure().error().contains("3, 7")
                && failed.failure().error().contains("bin/migrate quarantine a"), failed.failure().error());
        assertTrue(all(over, Effect.PublishTask.class).isEmpty(), "no next task");
    }

    @Test
    void anOutcomeItsSegmentNoLongerWaitsForIsDroppedAsStaleWithNothingChanged() {
        CoordinatorState running = started(initial).state();
        String runId = running.find("a").orElseThrow().run().runId();
        for (Event.Outcome stale : List.<Event.Outcome>of(
                new Event.BatchCompleted(new BatchKey("a", runId, 0, "[70]"), "[80]", 10, false, false, false, List.of(),
                        300, "w"),
                new Event.BatchCompleted(new BatchKey("a", "an-old-run", 0, "[0]"), "[10]", 10, false, false, false,
                        List.of(), 300, "w"),
                new Event.BatchFailed(new BatchKey("a", runId, 0, "[70]"), "boom", "7", null, "w"),
                new Event.BatchDelayed(new BatchKey("a", runId, 0, "[70]"), "lock", "w"))) {
            Step dropped = core.step(running, new Input.EventReceived(stale, 2000));
            Effect.Dropped drop = only(dropped, Effect.Dropped.class);
            assertEquals(Effect.Kind.STALE, drop.kind(), stale.toString());
            assertEquals("stale", drop.kind().tag());
            assertEquals(1, dropped.effects().size(), dropped.effects().toString());
            assertEquals(running, dropped.state(), stale.toString());
        }
    }

    @Test
    void aClosedFenceThatMovedPastItsBatchesAsksTheLedgerWhatTheyApplied() {
        CoordinatorState running = started(initial).state();
        Step canceled = core.step(running, new Input.CommandReceived(new Command.Cancel("a"), 3000));
        Effect.WriteFence closed = only(canceled, Effect.WriteFence.class);
        RunFence moved = new RunFence("a", closed.fence().runId(), 10, false,
                List.of(new RunFence.Segment(0, "[20]", null, false)));

        Step written = core.step(canceled.state(), new Input.FenceWritten(closed, moved, 3000));
        Effect.ReadLedger read = only(written, Effect.ReadLedger.class);
        assertTrue(read.waitedForByFence());
        assertEquals("[0]", read.claim().key().cursor());
        assertEquals("[20]", read.claim().nextCursor());
        assertEquals(List.of(), core.step(canceled.state(), new Input.FenceWritten(closed, closed.fence(), 3000)).effects(),
                "a fence written as asked waited for nothing");
    }

    @Test
    void strayEventsAreDroppedWithNothingChanged() {
        Step planned = core.step(initial, new Input.CommandReceived(Command.Run.of("a"), 1000));
        Step asked = core.step(planned.state(), new Input.TablesChecked(only(planned, Effect.CheckTables.class),
                List.of(Optional.empty()), List.of(), 1000));
        Effect.PlanSegments plan = only(asked, Effect.PlanSegments.class);
        CoordinatorState planning = asked.state();

        for (Event stray : List.<Event>of(
                new Event.RunPlanned("a", plan.runId(), "not-" + plan.planId(), List.of(), 100, null),
                new Event.HealthChanged("*", "another-watch", false, "lag"),
                new Event.BatchSkipped(new BatchKey("a", plan.runId(), 0, null), "not at the fence's cursor", "w"))) {
            Step dropped = core.step(planning, new Input.EventReceived(stray, 2000));
            assertEquals(1, dropped.effects().size(), dropped.effects().toString());
            assertInstanceOf(Effect.Dropped.class, dropped.effects().get(0));
            assertEquals(planning, dropped.state(), stray.toString());
        }
        Step accepted = core.step(planning, new Input.EventReceived(new Event.RunPlanned("a", plan.runId(),
                plan.planId(), List.of("[50]"), 100, null), 2000));
        assertEquals(2, all(accepted, Effect.PublishTask.class).size(), "its own plan counts");
        Step twice = core.step(accepted.state(), new Input.EventReceived(new Event.RunPlanned("a", plan.runId(),
                plan.planId(), List.of("[50]"), 100, null), 2000));
        assertInstanceOf(Effect.Dropped.class, twice.effects().get(0), "once");
    }

    @Test
    void idsComeFromTheSeedOfTheTakeover() {
        Step one = core.step(initial, new Input.TookOver(List.of(), "seed-A", 0));
        Step other = core.step(initial, new Input.TookOver(List.of(), "seed-B", 0));
        String first = planned(one.state());
        assertEquals(first, planned(one.state()), "the same state, the same id");
        assertNotEquals(first, planned(other.state()), "another seed, another id");
    }

    private String planned(CoordinatorState state) {
        Step asked = core.step(state, new Input.CommandReceived(Command.Run.of("a"), 0));
        return only(core.step(asked.state(), new Input.TablesChecked(only(asked, Effect.CheckTables.class),
                List.of(Optional.empty()), List.of(), 0)), Effect.PlanSegments.class).runId();
    }
}
