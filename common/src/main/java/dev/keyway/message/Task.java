package dev.keyway.message;

import java.util.Objects;

/** Messages on the {@code tasks} topic, consumed by the workers' group. Key: {@code migration/segment}. */
public sealed interface Task permits Task.ProcessBatch {

    String migration();

    /**
     * Process one batch of one segment: read up to {@code batchSize} documents after {@code cursor}
     * (exclusive; {@code null} = the start of the segment) and up to {@code end} (inclusive;
     * {@code null} = the end of the range), apply the migration, commit, report the outcome.
     * The ledger key (migration, runId, segment, cursor) makes a redelivered task a no-op.
     */
    record ProcessBatch(String migration, String runId, int segment, String cursor, String end,
                        int batchSize, boolean dryRun) implements Task {
        public ProcessBatch {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(runId, "runId");
        }

        /** The batch this task asks for. */
        public BatchKey batch() {
            return new BatchKey(migration, runId, segment, cursor);
        }

        /** The Kafka key: one partition per segment chain keeps a segment's tasks in order. */
        public String key() {
            return migration + "/" + segment;
        }
    }
}
