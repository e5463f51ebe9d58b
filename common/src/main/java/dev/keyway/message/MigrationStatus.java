package dev.keyway.message;

import java.util.List;

/**
 * The status of one migration: the value on the compacted {@code status} topic (key = name), and
 * the coordinator's whole state for it (the topic is its changelog).
 *
 * <p>The component's fields come first. {@code cursor} is the overall restart point: for a single
 * segment, the cursor of its last committed batch; for a segmented run, the position of the first
 * segment that is not done (every document before it has been processed). {@code processed} is the
 * sum over the segments of the current run. Times are epoch millis.
 *
 * @param runId identifies the current segment plan; it changes only when a run starts over
 * @param pendingDryRun the run id of a dry run in flight, or null
 * @param segments each segment's range, cursor and progress
 * @param failedBatch the batch that failed: segment, cursor, document and task location (for replay), or null
 * @param dryRun the last dry run's report, or null
 * @param requestedBy who started the latest run
 * @param total the number of rows the run walks, counted when it was planned (null when it started
 *     from an explicit cursor); with {@code processed} and {@code latestStart} it gives progress and ETA
 * @param updatedAt when this status was written
 */
public record MigrationStatus(
        String name,
        String cursor,
        long processed,
        boolean isDone,
        String error,
        MigrationState state,
        Long latestStart,
        Long latestEnd,
        int batchSize,
        List<String> next,
        String runId,
        String pendingDryRun,
        List<SegmentStatus> segments,
        FailedBatch failedBatch,
        DryRunReport dryRun,
        String requestedBy,
        Long total,
        long updatedAt) {

    public MigrationStatus {
        next = next == null ? List.of() : List.copyOf(next);
        segments = segments == null ? List.of() : List.copyOf(segments);
    }

    /** The status of a migration that has never run. */
    public static MigrationStatus unknown(String name, int batchSize) {
        return new MigrationStatus(name, null, 0, false, null, MigrationState.UNKNOWN, null, null,
                batchSize, List.of(), null, null, List.of(), null, null, null, null, 0);
    }

    /** A new or resumed run: state inProgress, no error, the given plan and options. */
    public MigrationStatus started(String newRunId, List<SegmentStatus> segs, int size, List<String> nextFns,
                                   String by, Long rows, long now) {
        return new MigrationStatus(name, cursor, processed, false, null, MigrationState.IN_PROGRESS, now, null,
                size, nextFns, newRunId, pendingDryRun, segs, null, dryRun, by, rows, updatedAt)
                .withSegments(segs);
    }

    /** The same status with these segments; {@code cursor} and {@code processed} follow from them. */
    public MigrationStatus withSegments(List<SegmentStatus> segs) {
        long sum = segs.stream().mapToLong(SegmentStatus::processed).sum();
        String overall = segs.isEmpty() ? cursor : segs.get(segs.size() - 1).position();
        for (SegmentStatus s : segs) {
            if (!s.done()) {
                overall = s.position();
                break;
            }
        }
        return new MigrationStatus(name, overall, sum, isDone, error, state, latestStart, latestEnd,
                batchSize, next, runId, pendingDryRun, segs, failedBatch, dryRun, requestedBy, total, updatedAt);
    }

    /** The same status in another state; {@code isDone} follows from it. */
    public MigrationStatus withState(MigrationState st, String err, Long end) {
        return new MigrationStatus(name, cursor, processed, st == MigrationState.SUCCESS, err, st,
                latestStart, end, batchSize, next, runId, pendingDryRun, segments, failedBatch, dryRun,
                requestedBy, total, updatedAt);
    }

    public MigrationStatus withFailedBatch(FailedBatch failed) {
        return new MigrationStatus(name, cursor, processed, isDone, error, state, latestStart, latestEnd,
                batchSize, next, runId, pendingDryRun, segments, failed, dryRun, requestedBy, total, updatedAt);
    }

    public MigrationStatus withDryRun(String pending, DryRunReport report) {
        return new MigrationStatus(name, cursor, processed, isDone, error, state, latestStart, latestEnd,
                batchSize, next, runId, pending, segments, failedBatch, report, requestedBy, total, updatedAt);
    }

    public MigrationStatus withUpdatedAt(long at) {
        return new MigrationStatus(name, cursor, processed, isDone, error, state, latestStart, latestEnd,
                batchSize, next, runId, pendingDryRun, segments, failedBatch, dryRun, requestedBy, total, at);
    }
}
