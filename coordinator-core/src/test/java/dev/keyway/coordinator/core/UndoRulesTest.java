package dev.keyway.coordinator.core;

import static dev.keyway.coordinator.core.StepEffects.all;
import static dev.keyway.coordinator.core.StepEffects.answer;
import static dev.keyway.coordinator.core.StepEffects.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.Task;
import dev.keyway.message.UndoOf;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.LedgerEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Before-images and undo as the core runs them: a run keeps images when it asks or its definition does, and its tasks
 * say so; an undo names the run it takes back, is planned over that run's images (its plan names them), its tasks
 * carry what they undo, its conflicts count as the ledger recorded them; once it succeeds the migration is no longer
 * done, and a plain run starts it anew.
 */
class UndoRulesTest {

    private final Migration a = Migration.define("a", "users", (ctx, d) -> null).withBatchSize(10);
    private final Migration imaged = Migration.define("b", "users", (ctx, d) -> null).withBatchSize(10)
            .withBeforeImages();
    private final CoordinatorCore core = new CoordinatorCore(MigrationCatalog.of(List.of(a, imaged)),
            CoreSettings.defaults().withHealthWatchId("watch-1"));
    private final CoordinatorState succeeded = CoordinatorState.initial("seed-1")
            .withStatus(MigrationStatus.unknown("a", 10).withState(MigrationState.SUCCESS, null, 500L));

    private Step command(CoordinatorState state, Command.Run run) {
        return StepEffects.command(core, state, run);
    }

    private Step planned(Step started, List<String> points, long rows) {
        Effect.PlanSegments plan = only(started, Effect.PlanSegments.class);
        return core.step(started.state(), new Input.EventReceived(new Event.RunPlanned(plan.migration(), plan.runId(),
                plan.planId(), points, rows, null), 2000));
    }

    @Test
    void aRunKeepsImagesWhenItAsksOrItsDefinitionDoesAndItsTasksSaySo() {
        Step asked = planned(command(CoordinatorState.initial("s"), Command.Run.of("a").withKeepImages(true)),
                List.of(), 20);
        assertTrue(only(asked, Effect.PublishTask.class).task().keepImages());
        assertTrue(asked.state().find("a").orElseThrow().run().keepImages());
        Step defined = planned(command(CoordinatorState.initial("s"), Command.Run.of("b")), List.of(), 20);
        assertTrue(only(defined, Effect.PublishTask.class).task().keepImages(), "withBeforeImages()");
        Step plain = planned(command(CoordinatorState.initial("s"), Command.Run.of("a")), List.of(), 20);
        assertFalse(only(plain, Effect.PublishTask.class).task().keepImages(), "off by default");
        assertTrue(answer(command(succeeded, Command.Run.of("a").withKind(RunKind.VERIFY).withKeepImages(true)))
                .contains("keeps no before-images"));
    }

    @Test
    void anUndoWalksTheImagesOfTheRunItNamesCountsItsConflictsAndLeavesTheMigrationToRunAgain() {
        Step started = command(succeeded, Command.Run.of("a").withUndoOf(new UndoOf("r-1", false))
                .withRequestedBy("ada"));
        assertEquals("accepted: started", answer(started));
        Effect.PlanSegments plan = only(started, Effect.PlanSegments.class);
        assertEquals(RunKind.UNDO, plan.kind());
        assertEquals("r-1", plan.imagesOf(), "its segments split the images of r-1");
        MigrationStatus undoing = started.state().find("a").orElseThrow();
        assertEquals(MigrationState.IN_PROGRESS, undoing.state());
        assertFalse(undoing.isDone(), "an undo takes the run back");

        String point = "8" + "0".repeat(63);
        Step walking = planned(started, List.of(point), 30);
        List<Task.ProcessBatch> tasks = all(walking, Effect.PublishTask.class).stream().map(Effect.PublishTask::task)
                .toList();
        assertEquals(2, tasks.size());
        assertTrue(tasks.stream().allMatch(t -> t.kind() == RunKind.UNDO && t.undoOf().runId().equals("r-1")
                && !t.undoOf().force() && !t.keepImages()));
        assertEquals(point, tasks.get(0).end(), "segments end at image ids");

        CoordinatorState state = walking.state();
        for (Task.ProcessBatch t : tasks) {
            Event.BatchCompleted claim = new Event.BatchCompleted(t.key(), t.end() == null ? "f".repeat(64) : t.end(),
                    15, true, false, false, List.of(), 0, 100, "w", 99, List.of());
            Step asking = core.step(state, new Input.EventReceived(claim, 3000));
            state = core.step(asking.state(), new Input.LedgerRead(only(asking, Effect.ReadLedger.class), List.of(
                    new LedgerEntry(t.key(), claim.nextCursor(), 15, true, 2)), 3000)).state();
        }
        MigrationStatus undone = state.find("a").orElseThrow();
        assertEquals(MigrationState.SUCCESS, undone.state());
        assertEquals(RunKind.UNDO, undone.run().kind());
        assertEquals(4, undone.progress().conflicts(), "the ledger's 2 and 2, not the claims' 99");
        assertFalse(undone.isDone());
        List<HistoryEntry> end = HistoryEntries.between(undoing, undone, null, 3000);
        assertTrue(end.stream().anyMatch(h -> h.kind().equals(HistoryEntry.SUCCEEDED)
                && h.detail().equals("undid run r-1; 4 conflict(s): rows changed since, left as they are")), end.toString());

        Step again = command(state, Command.Run.of("a"));
        assertEquals("accepted: started", answer(again), "a plain run starts the migration anew");
        assertEquals(RunKind.MIGRATE, only(again, Effect.PlanSegments.class).kind());
        assertEquals(0, again.state().find("a").orElseThrow().progress().conflicts());
    }

    @Test
    void anUndoWithoutARunOrARunNamingOneIsRefused() {
        assertTrue(answer(command(succeeded, Command.Run.of("a").withKind(RunKind.UNDO)))
                .contains("an undo names the run it takes back"));
        assertTrue(answer(command(succeeded, new Command.Run("a", List.of(), null, null, false, null, null, null,
                List.of(), null, false, RunKind.MIGRATE, new UndoOf("r-1", false), false)))
                .contains("only an undo"));
    }
}
