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

    /**
     * The segment index of a dry run's fence: one row per migration, apart from its run's segments, so that a dry run
     * is checked like a batch (a task nobody asked for, or one replayed after its report, is refused).
     */
    public static final int DRY_RUN = -1;

    public RunFence {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(runId, "runId");
        segments = List.copyOf(segments);
    }

    /**
     * The fence of a dry run: open for its one batch from {@code cursor} of {@code batchSize} rows until its report
     * arrives, then closed ({@code open} false). Writing it leaves the migration's run fence as it is.
     */
    public static RunFence dryRun(String migration, String dryRunId, String cursor, int batchSize, boolean open) {
        return new RunFence(migration, dryRunId, batchSize, open, List.of(new Segment(DRY_RUN, cursor, null, !open)));
    }

    /** Whether this is a dry run's fence ({@link #dryRun}). */
    public boolean isDryRun() {
        return segments.size() == 1 && segments.get(0).index() == DRY_RUN;
    }

    /**
     * One segment: where its next batch starts and where it ends (inclusive; {@code null} = the end of
     * the range), and whether it is done.
     */
    public record Segment(int index, String position, String end, boolean done) {
    }
}
