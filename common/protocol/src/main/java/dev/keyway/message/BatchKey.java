package dev.keyway.message;

import java.util.Objects;

/**
 * Which batch: a migration's run, one of its segments, and the cursor the batch starts after
 * ({@code null} = the start of the segment's range). It names a batch in tasks, outcomes, the ledger and
 * a failed migration's status; a batch is applied at most once per key.
 */
public record BatchKey(String migration, String runId, int segment, String cursor) {
    public BatchKey {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(runId, "runId");
    }

    /** The batch of the same run and segment that starts after {@code next}: the next batch of a slice. */
    public BatchKey at(String next) {
        return new BatchKey(migration, runId, segment, next);
    }

    @Override
    public String toString() {
        return migration + " run " + runId + " segment " + segment + " after cursor " + cursor;
    }
}
