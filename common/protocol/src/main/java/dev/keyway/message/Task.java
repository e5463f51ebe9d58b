package dev.keyway.message;

import dev.keyway.migration.Migration;
import java.util.Objects;

/** Messages on the {@code tasks} topic, consumed by the workers' group. Key: {@code migration/segment}. */
public sealed interface Task permits Task.ProcessBatch {

    String migration();

    /**
     * What a definition of a migration walks, as a task carries it: its table, and its range if it has one
     * ({@code users}, {@code users where role in [a, m]}). Two processes that agree on it walk the same rows.
     */
    static String walkOf(Migration m) {
        if (m.customRange() == null) {
            return m.table();
        }
        return m.table() + " where " + m.customRange().column() + " in [" + m.customRange().from() + ", "
                + m.customRange().to() + "]";
    }

    /**
     * Process one batch of one segment: read up to {@code batchSize} documents after the key's {@code cursor}
     * (exclusive; {@code null} = the start of the segment) and up to {@code end} (inclusive;
     * {@code null} = the end of the range), apply the migration, commit, report the outcome.
     * The ledger key ({@link BatchKey}: migration, runId, segment, cursor) makes a redelivered task a no-op.
     * With a {@link Lease} of more than one batch, the worker goes on from batch to batch (each in its own
     * transaction) and reports one outcome for the slice of the segment it walked.
     * On the wire the key's fields are the task's own ({@code "migration"}, {@code "runId"}, {@code "segment"},
     * {@code "cursor"}): the codec flattens it.
     *
     * @param key the batch the task starts at: its migration, run, segment and cursor
     * @param lease how many batches the task may walk, and how they are sized; absent = {@link Lease#single()}
     * @param walk the rows the coordinator planned the run over, {@link #walkOf} its definition of the migration
     *     (table and range); a worker whose definition walks other rows refuses the task, since the coordinator
     *     and it run different versions of the jar. Absent (tasks of 0.1, tests): not checked
     * @param quarantine the run sets aside a document whose {@code migrateOne} throws or whose write the database
     *     refuses (in the batch's transaction, {@code keyway_quarantine}) instead of failing the batch
     * @param onlyQuarantined the run walks the migration's documents in {@code keyway_quarantine} (in the order of their
     *     keys' JSON text; the cursor is the last key's) instead of its table's key range, and takes each out of
     *     quarantine in the batch that migrates it
     * @param kind what the run does with its rows (absent = migrate): a {@link RunKind#VERIFY} task reads its pages
     *     without locks, writes nothing to them, and records the rows {@code migrateOne} would still change; a
     *     {@link RunKind#FIX} task walks the rows the last verify recorded ({@code keyway_verify}), like
     *     {@code onlyQuarantined} walks the quarantine; an {@link RunKind#UNDO} task walks the before-images of the run
     *     {@code undoOf} names, in the order of their ids (its cursor and end are image ids), and restores each row
     * @param undoOf for an undo task: the run it takes back and whether it forces; else null
     * @param keepImages the batch keeps a before-image of each row it changes ({@code keyway_images})
     */
    record ProcessBatch(BatchKey key, String end, int batchSize, boolean dryRun, Lease lease, String walk,
                        boolean quarantine, boolean onlyQuarantined, RunKind kind, UndoOf undoOf, boolean keepImages)
            implements Task {
        /** The longest run id: the ledger and the fence store run ids of up to this many characters. */
        public static final int MAX_RUN_ID = 64;

        public ProcessBatch {
            Objects.requireNonNull(key, "key");
            if (key.migration().length() > Command.MAX_NAME || key.runId().length() > MAX_RUN_ID) {
                throw new IllegalArgumentException("a task's migration name may have at most " + Command.MAX_NAME
                        + " characters and its runId " + MAX_RUN_ID);
            }
            if (key.segment() < 0 || key.segment() >= Migration.MAX_SEGMENTS) {
                throw new IllegalArgumentException("a task's segment must be between 0 and " + (Migration.MAX_SEGMENTS - 1)
                        + ", but was " + key.segment());
            }
            Migration.checkBatchSize(batchSize);
            if ((key.cursor() != null && key.cursor().length() > Command.MAX_CURSOR)
                    || (end != null && end.length() > Command.MAX_CURSOR)) {
                throw new IllegalArgumentException("a task's cursor and end may have at most " + Command.MAX_CURSOR
                        + " characters");
            }
            lease = lease == null ? Lease.single() : lease;
            kind = kind == null ? RunKind.MIGRATE : kind;
            if (walk != null && walk.length() > Command.MAX_CURSOR) {
                throw new IllegalArgumentException("a task's walk may have at most " + Command.MAX_CURSOR + " characters");
            }
        }

        /** A task that quarantines nothing. */
        public ProcessBatch(BatchKey key, String end, int batchSize, boolean dryRun, Lease lease, String walk) {
            this(key, end, batchSize, dryRun, lease, walk, false, false, RunKind.MIGRATE, null, false);
        }

        /** A task without a {@code walk} to check. */
        public ProcessBatch(BatchKey key, String end, int batchSize, boolean dryRun, Lease lease) {
            this(key, end, batchSize, dryRun, lease, null);
        }

        /** A task of one batch. */
        public ProcessBatch(BatchKey key, String end, int batchSize, boolean dryRun) {
            this(key, end, batchSize, dryRun, Lease.single());
        }

        /** This task with the walk of the coordinator's definition of its migration. */
        public ProcessBatch withWalk(String planned) {
            return new ProcessBatch(key, end, batchSize, dryRun, lease, planned, quarantine, onlyQuarantined, kind,
                    undoOf, keepImages);
        }

        /** This task, quarantining documents that fail or not. */
        public ProcessBatch withQuarantine(boolean on) {
            return new ProcessBatch(key, end, batchSize, dryRun, lease, walk, on, onlyQuarantined, kind,
                    undoOf, keepImages);
        }

        /** This task, over the documents in quarantine or not. */
        public ProcessBatch withOnlyQuarantined(boolean only) {
            return new ProcessBatch(key, end, batchSize, dryRun, lease, walk, quarantine, only, kind,
                    undoOf, keepImages);
        }

        /** This task, of an undo of that run (or, with null, of no undo). */
        public ProcessBatch withUndoOf(UndoOf u) {
            return new ProcessBatch(key, end, batchSize, dryRun, lease, walk, quarantine, onlyQuarantined, kind, u,
                    keepImages);
        }

        /** This task, keeping before-images or not. */
        public ProcessBatch withKeepImages(boolean keep) {
            return new ProcessBatch(key, end, batchSize, dryRun, lease, walk, quarantine, onlyQuarantined, kind, undoOf,
                    keep);
        }

        /** This task, of a run of this kind. */
        public ProcessBatch withKind(RunKind k) {
            return new ProcessBatch(key, end, batchSize, dryRun, lease, walk, quarantine, onlyQuarantined, k,
                    undoOf, keepImages);
        }

        @Override
        public String migration() {
            return key.migration();
        }

        /** The Kafka record's key: one partition per segment chain keeps a segment's tasks in order. */
        public String recordKey() {
            return key.migration() + "/" + key.segment();
        }
    }
}
