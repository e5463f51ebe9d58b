package dev.keyway.coordinator.core;

import static dev.keyway.coordinator.core.StepEffects.all;
import static dev.keyway.coordinator.core.StepEffects.answer;
import static dev.keyway.coordinator.core.StepEffects.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.LedgerEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A verify and a fix as the core runs them: a verify follows only a run that succeeded, is planned afresh (its plan
 * asks for the old findings to go) and its tasks say verify; its findings count as the ledger recorded them, with a
 * bounded sample; it ends verified or verifyFailed, a cancel leaves it verifyFailed and resumable; a fix follows only
 * a finished verify that found rows, walks one segment over them, and ends in success.
 */
class VerifyRulesTest {

    private final Migration a = Migration.define("a", "users", (ctx, d) -> null).withBatchSize(10);
    private final CoordinatorCore core = new CoordinatorCore(MigrationCatalog.of(List.of(a)),
            CoreSettings.defaults().withHealthWatchId("watch-1"));
    private final CoordinatorState succeeded = CoordinatorState.initial("seed-1")
            .withStatus(MigrationStatus.unknown("a", 10).change().cursor("[25]").build()
                    .withState(MigrationState.SUCCESS, null, 500L));

    private Step command(CoordinatorState state, Command.Run run) {
        return StepEffects.command(core, state, run);
    }

    private Step verifying(CoordinatorState state) {
        Step started = command(state, Command.Run.of("a").withKind(RunKind.VERIFY).withRequestedBy("ada"));
        Effect.PlanSegments plan = only(started, Effect.PlanSegments.class);
        assertEquals(RunKind.VERIFY, plan.kind(), "the plan clears the earlier findings");
        MigrationStatus st = started.state().find("a").orElseThrow();
        assertEquals(MigrationState.VERIFYING, st.state());
        assertTrue(st.isDone(), "the migration's run succeeded all the same");
        return core.step(started.state(), new Input.EventReceived(new Event.RunPlanned("a", plan.runId(),
                plan.planId(), List.of(), 25, null), 2000));
    }

    /** A verify's one slice over all 25 rows, claimed with {@code claimed} found, the ledger recording {@code found}. */
    private Step walked(Step verifying, int claimed, int found) {
        Task.ProcessBatch task = only(verifying, Effect.PublishTask.class).task();
        Event.BatchCompleted claim = new Event.BatchCompleted(task.key(), "[25]", 25, true, false, false,
                List.of(new Event.DocumentChange("3", JsonNodeFactory.instance.objectNode().put("id", 3),
                        JsonNodeFactory.instance.objectNode().put("id", 3).put("counter", 1))), 0, 300, "w", claimed,
                List.of("3"));
        Step asking = core.step(verifying.state(), new Input.EventReceived(claim, 3000));
        return core.step(asking.state(), new Input.LedgerRead(only(asking, Effect.ReadLedger.class), List.of(
                new LedgerEntry(task.key(), "[25]", 25, true, found)), 3000));
    }

    @Test
    void aVerifyOfASucceededRunWalksWithVerifyTasksAndEndsVerifiedOrVerifyFailedAsTheLedgerCounted() {
        Step planned = verifying(succeeded);
        Task.ProcessBatch task = only(planned, Effect.PublishTask.class).task();
        assertEquals(RunKind.VERIFY, task.kind());
        assertTrue(!task.quarantine() && !task.onlyQuarantined());

        MigrationStatus clean = walked(planned, 0, 0).state().find("a").orElseThrow();
        assertEquals(MigrationState.VERIFIED, clean.state());
        assertEquals(0, clean.verification().mismatched());

        Step found = walked(planned, 99, 2);
        MigrationStatus failed = found.state().find("a").orElseThrow();
        assertEquals(MigrationState.VERIFY_FAILED, failed.state());
        assertEquals(2, failed.verification().mismatched(), "the ledger's 2, not the claim's 99");
        assertEquals(1, failed.verification().sample().size());
        assertTrue(failed.failure().error().startsWith("2 of 25 rows would still change"), failed.failure().error());
        assertTrue(failed.failure().error().contains("bin/migrate verify a --fix"), failed.failure().error());
        assertTrue(failed.isDone());

        // run a: the migration's run is complete, nothing to resume
        assertEquals("accepted: skipped", answer(command(found.state(), Command.Run.of("a"))));
        // a fix: one segment over keyway_verify, the verify's count as its total
        Step fix = command(found.state(), Command.Run.of("a").withKind(RunKind.FIX).withRequestedBy("ada"));
        assertEquals("accepted: started", answer(fix));
        Task.ProcessBatch fixTask = only(fix, Effect.PublishTask.class).task();
        assertEquals(RunKind.FIX, fixTask.kind());
        assertEquals(null, fixTask.key().cursor());
        MigrationStatus fixing = fix.state().find("a").orElseThrow();
        assertEquals(MigrationState.IN_PROGRESS, fixing.state());
        assertEquals(2L, fixing.progress().total());
        Event.BatchCompleted fixed = new Event.BatchCompleted(fixTask.key(), "\"7\"", 2, true, false, false, List.of(),
                0, 100, "w", 0, List.of());
        Step asking = core.step(fix.state(), new Input.EventReceived(fixed, 4000));
        Step done = core.step(asking.state(), new Input.LedgerRead(only(asking, Effect.ReadLedger.class), List.of(
                new LedgerEntry(fixTask.key(), "\"7\"", 2, true, 0)), 4000));
        assertEquals(MigrationState.SUCCESS, done.state().find("a").orElseThrow().state());
    }

    @Test
    void aVerifyOrAFixOutOfTurnIsRefusedWithNothingChanged() {
        CoordinatorState never = CoordinatorState.initial("seed-1");
        assertTrue(answer(command(never, Command.Run.of("a").withKind(RunKind.VERIFY)))
                .contains("verify checks a migration whose run succeeded; it never ran"));
        assertTrue(answer(command(succeeded, Command.Run.of("a").withKind(RunKind.FIX)))
                .contains("run bin/migrate verify a first"));
        CoordinatorState verified = walked(verifying(succeeded), 0, 0).state();
        assertTrue(answer(command(verified, Command.Run.of("a").withKind(RunKind.FIX)))
                .contains("its last verify found nothing to fix"));
        assertTrue(answer(command(succeeded, Command.Run.of("a").withKind(RunKind.VERIFY)
                .withStartAt(Command.StartAt.after("[5]")))).contains("it takes no cursor"));
        assertTrue(answer(command(succeeded, Command.Run.of("a").withKind(RunKind.VERIFY).withNext(List.of("a"))))
                .contains("a verify run takes no next migrations"));
    }

    @Test
    void aCanceledVerifyEndsVerifyFailedAndAVerifyResumesItWithWhatItFound() {
        Step planned = verifying(succeeded);
        Step canceled = core.step(planned.state(), new Input.CommandReceived(new Command.Cancel("a", "ada"), 2500));
        MigrationStatus st = canceled.state().find("a").orElseThrow();
        assertEquals(MigrationState.VERIFY_FAILED, st.state());
        assertTrue(st.failure().error().contains("bin/migrate verify a resumes it"), st.failure().error());
        assertTrue(answer(command(canceled.state(), Command.Run.of("a").withKind(RunKind.FIX)))
                .contains("with a verify that did not finish"));

        Step resumed = command(canceled.state(), Command.Run.of("a").withKind(RunKind.VERIFY));
        assertEquals("accepted: resumed", answer(resumed));
        MigrationStatus again = resumed.state().find("a").orElseThrow();
        assertEquals(MigrationState.VERIFYING, again.state());
        assertEquals(st.run().runId(), again.run().runId(), "the same verify goes on");
        assertEquals(RunKind.VERIFY, only(resumed, Effect.PublishTask.class).task().kind());
    }

    @Test
    void theHistoryTellsAVerifysStartAndEnd() {
        Step planned = verifying(succeeded);
        MigrationStatus before = succeeded.find("a").orElseThrow();
        MigrationStatus started = planned.state().find("a").orElseThrow();
        List<HistoryEntry> start = HistoryEntries.between(before, started, null, 2000);
        assertEquals(HistoryEntry.STARTED, start.get(0).kind());
        assertTrue(start.get(0).detail().startsWith("a verify"), start.get(0).detail());
        assertEquals(null, start.get(0).parameters().cursor(), "from the start, not where the run ended");
        MigrationStatus ended = walked(planned, 2, 2).state().find("a").orElseThrow();
        List<HistoryEntry> end = HistoryEntries.between(started, ended, null, 3000);
        assertEquals(List.of(HistoryEntry.VERIFY_FAILED), end.stream().map(HistoryEntry::kind).toList());
    }
}
