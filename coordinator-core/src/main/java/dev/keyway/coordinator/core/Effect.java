package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.store.RunFence;
import java.util.List;

/**
 * What the core asks the shell to do, one {@link CoordinatorCore#step step} at a time. Three kinds:
 * <ul>
 *   <li>what goes out in the Kafka transaction of the record being handled: {@link PublishStatus}, {@link PublishTask}
 *   and {@link Answer};</li>
 *   <li>what the shell asks the database before that transaction, handing the result back as an {@link Input}, in the
 *   same record: {@link WriteFence} ({@link Input.FenceWritten}), {@link CheckTables} ({@link Input.TablesChecked}),
 *   {@link ReadLedger} ({@link Input.LedgerRead}) and {@link ReadFence} ({@link Input.FenceRead});</li>
 *   <li>what waits until the transaction commits: {@link PlanSegments} (its result comes back as a
 *   {@link Event.RunPlanned} on the events topic) and {@link PublishLater}; and what the shell only notes:
 *   {@link BatchesTimed}, {@link Dropped}.</li>
 * </ul>
 */
public sealed interface Effect {

    /** Writes the migration's status to the status topic (the latest of one record per migration wins). */
    record PublishStatus(MigrationStatus status) implements Effect {
    }

    /** Publishes a segment's next task. */
    record PublishTask(Task.ProcessBatch task) implements Effect {
    }

    /** Sends an answer (to a command, to {@code list}) to the events topic. */
    record Answer(Event event) implements Effect {
    }

    /**
     * Publishes a task at {@code dueMillis}, not before, outside any transaction: the migration's rate limit or a
     * health rest spaces its batches. A task is idempotent (the fence and the ledger), so publishing it late, or twice,
     * is safe; a coordinator that takes over publishes it again.
     */
    record PublishLater(Task.ProcessBatch task, long dueMillis) implements Effect {
    }

    /**
     * Plans a run's segments (count, split points) away from the Kafka transaction, once it commits; the plan comes
     * back as a {@link Event.RunPlanned} carrying {@code planId}, and a plan the core did not ask for is dropped.
     */
    /**
     * @param imagesOf for an undo: the run whose before-images it walks (its segments split their ids); else null
     */
    record PlanSegments(String migration, String runId, Integer segments, String planId, RunKind kind, String imagesOf)
            implements Effect {
    }

    /** Writes a run's fence to the database before anything of the record is published. */
    record WriteFence(RunFence fence) implements Effect {
    }

    /**
     * Asks the database whether each walk's table can be walked from its cursors, and the key columns of each of
     * {@code keyColumnsOf}, for {@code command}; the answers come back as {@link Input.TablesChecked}.
     */
    record CheckTables(Command command, List<Walk> walks, List<Migration> keyColumnsOf) implements Effect {

        public CheckTables {
            walks = List.copyOf(walks);
            keyColumnsOf = List.copyOf(keyColumnsOf);
        }
    }

    /** A table to walk from {@code cursors} (none: from the start). */
    record Walk(Migration migration, List<String> cursors) {

        public Walk {
            cursors = List.copyOf(cursors);
        }
    }

    /**
     * Reads the ledger's chain of batches from {@code claim}'s batch up to its next cursor (at most
     * {@link #maxBatches()}); the chain comes back as {@link Input.LedgerRead}.
     *
     * @param claim a worker's outcome, or, when {@code waitedForByFence}, the batch a closed fence moved past
     */
    record ReadLedger(Event.BatchCompleted claim, boolean waitedForByFence) implements Effect {

        public int maxBatches() {
            return Lease.MAX_BATCHES;
        }
    }

    /** Reads the fence of a delayed batch's migration; it comes back as {@link Input.FenceRead}. */
    record ReadFence(Event.BatchDelayed delayed) implements Effect {
    }

    /** A task's outcome counted: {@code batches} batches in {@code taskMillis}, for the batch latency signal. */
    record BatchesTimed(long taskMillis, int batches) implements Effect {
    }

    /**
     * A record the core dropped, of what kind and why; the shell logs it with where it came from and counts it by
     * {@code kind}.
     */
    record Dropped(Kind kind, Level level, String why) implements Effect {
    }

    /**
     * What a dropped record was, a closed set (a metric's tag, {@link #tag()}): drops of outcomes that were
     * {@link #STALE} are normal after a takeover or a pause; {@link #FORGED} ones name a claim the database does
     * not back.
     */
    enum Kind {
        /** An outcome of a batch its segment no longer waits for: another run, another cursor, a segment done. */
        STALE("stale"),
        /** An outcome the database does not back: the ledger has no such batch, or the fence no such delay. */
        FORGED("forged"),
        /** A plan this coordinator did not ask for (or asked for and took already). */
        UNASKED_PLAN("unasked_plan"),
        /** A health word of another coordinator's watch. */
        OTHER_WATCH("other_watch"),
        /** A worker skipped a task (the fence refused its first batch). */
        SKIPPED("skipped");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        /** The kind as a metric tag shows it. */
        public String tag() {
            return tag;
        }
    }

    /** How loud a drop is. */
    enum Level { DEBUG, INFO, WARN }
}
