package dev.keyway.store;

import java.util.List;
import java.util.Objects;

/**
 * The fence of a migration as the coordinator writes it when a run starts, resumes or is canceled:
 * the current run, its batch size, and each segment's range and position. Written to the database
 * before any task of the run is published, so a worker checks it in the batch's own transaction.
 *
 * @param open false when the run is canceled: no batch of it may apply until it is resumed
 */
public record RunFence(String migration, String runId, int batchSize, boolean open, List<Segment> segments) {

    public RunFence {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(runId, "runId");
        segments = List.copyOf(segments);
    }

    /**
     * One segment: where its next batch starts and where it ends (inclusive; {@code null} = the end of
     * the range), and whether it is done.
     */
    public record Segment(int index, String position, String end, boolean done) {
    }
}
