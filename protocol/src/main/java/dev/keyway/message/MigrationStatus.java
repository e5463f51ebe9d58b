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
 * @param throttledBy why the database's health slows the migration down or paused it (a health signal past its
 *     limit); null when health does not hold it back
 * @param limits the limits in force for the run (rows per second), or null for none
 * @param total the number of rows the run walks, counted when it was planned (null when it started
 *     from an explicit cursor); with {@code processed} and {@code latestStart} it gives progress and ETA
 * @param database the identity of the database the latest run ran against (its {@code keyway_database} row; never
 *     a URL or a credential), or null for a status written before it was recorded
 * @param lastCommand the latest command carried out for this migration and who asked for it, or null
 * @param pausedBy who paused the run: {@value #PAUSED_BY_OPERATOR} (it stays paused until resumed) or
 *     {@value #PAUSED_BY_HEALTH} (it resumes on its own when health returns); null when not paused. A paused status
 *     written before this field existed has none, and is treated as paused by an operator
 * @param limitedBy why the run goes no faster now, as the coordinator last saw it: its rate limit, its concurrency
 *     limit, a slow start, a health signal, lock waits, or the workers and database themselves (every segment
 *     that may go on has a task in flight); null when not running
 * @param pausedSince when the run was paused, while it is paused (null otherwise)
 * @param startProcessed the rows the run had processed at {@code latestStart} (a resumed run had some): rates and
 *     ETA count the rows and the time since the run last started running ({@link #rowsPerSecond})
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
        String throttledBy,
        Limits limits,
        String database,
        LastCommand lastCommand,
        String pausedBy,
        String limitedBy,
        Long pausedSince,
        long startProcessed,
        long updatedAt) {

    /** {@code pausedBy} of a run an operator paused: only {@code resume} goes on with it. */
    public static final String PAUSED_BY_OPERATOR = "operator";
    /** {@code pausedBy} of a run a health signal paused: it resumes when health returns, or by {@code resume}. */
    public static final String PAUSED_BY_HEALTH = "health";

    public MigrationStatus {
        next = next == null ? List.of() : List.copyOf(next);
        segments = segments == null ? List.of() : List.copyOf(segments);
    }

    /** The status of a migration that has never run. */
    public static MigrationStatus unknown(String name, int batchSize) {
        return new MigrationStatus(name, null, 0, false, null, MigrationState.UNKNOWN, null, null,
                batchSize, List.of(), null, null, List.of(), null, null, null, null, null, null, null, null, null, null, null, 0,
                0);
    }

    /**
     * A new or resumed run: state inProgress, no error, the given plan and options. The last dry run's report
     * is dropped: it was shown when the dry run ended, and the run makes it stale.
     */
    public MigrationStatus started(String newRunId, List<SegmentStatus> segs, int size, List<String> nextFns,
                                   String by, Long rows, long now) {
        return change().state(MigrationState.IN_PROGRESS).error(null).latestStart(now).latestEnd(null).batchSize(size)
                .next(nextFns).runId(newRunId).failedBatch(null).requestedBy(by).total(rows).dryRun(null).limitedBy(null)
                .pausedSince(null).startProcessed(0).build()
                .withSegments(segs);
    }

    /** The same status with these segments; {@code cursor} and {@code processed} follow from them. */
    public MigrationStatus withSegments(List<SegmentStatus> segs) {
        String overall = segs.isEmpty() ? cursor : segs.get(segs.size() - 1).position();
        for (SegmentStatus s : segs) {
            if (!s.done()) {
                overall = s.position();
                break;
            }
        }
        return change().segments(segs).cursor(overall)
                .processed(segs.stream().mapToLong(SegmentStatus::processed).sum()).build();
    }

    /**
     * This status in another state ({@code isDone} follows from it); a run that ended (success, failure, cancel) is
     * no longer throttled, and a run that is not paused has no {@code pausedBy}.
     */
    public MigrationStatus withState(MigrationState st, String err, Long end) {
        boolean ended = st == MigrationState.SUCCESS || st == MigrationState.FAILED || st == MigrationState.CANCELED;
        return change().state(st).error(err).latestEnd(end).throttledBy(ended ? null : throttledBy)
                .limitedBy(st == MigrationState.IN_PROGRESS ? limitedBy : null)
                .pausedBy(st == MigrationState.PAUSED ? pausedBy : null).build();
    }

    /** This run paused at {@code now} by {@code by} ({@value #PAUSED_BY_OPERATOR} or {@value #PAUSED_BY_HEALTH}). */
    public MigrationStatus pausedAt(long now, String by) {
        return change().state(MigrationState.PAUSED).pausedBy(by).limitedBy(null)
                .pausedSince(pausedSince == null ? now : pausedSince).build();
    }

    /** This paused run going on at {@code now}: it starts running again ({@code latestStart}, {@code startProcessed}). */
    public MigrationStatus resumedAt(long now) {
        return change().state(MigrationState.IN_PROGRESS).pausedBy(null).pausedSince(null).latestStart(now)
                .startProcessed(processed).build();
    }

    /**
     * How long the run has been running since it last started (or ran, once it stopped) at {@code now}: from
     * {@code latestStart} to {@code now}, its pause or {@code latestEnd}. 0 for a run not started.
     */
    public long runningMillis(long now) {
        if (latestStart == null) {
            return 0;
        }
        long end = latestEnd != null && latestEnd >= latestStart ? latestEnd : now;
        if (pausedSince != null) {
            end = Math.min(end, pausedSince);
        }
        return Math.max(0, end - latestStart);
    }

    /** Rows per second since the run last started running (paused time not counted), or 0 before it ran a moment. */
    public double rowsPerSecond(long now) {
        long ran = runningMillis(now);
        return ran <= 0 ? 0 : Math.max(0, processed - startProcessed) * 1000.0 / ran;
    }

    /** Whether a health signal paused the run (not an operator): health resumes only such a run. */
    public boolean pausedByHealth() {
        return state == MigrationState.PAUSED && PAUSED_BY_HEALTH.equals(pausedBy);
    }

    public MigrationStatus withFailedBatch(FailedBatch failed) {
        return change().failedBatch(failed).build();
    }

    public MigrationStatus withDryRun(String pending, DryRunReport report) {
        return change().pendingDryRun(pending).dryRun(report).build();
    }

    public MigrationStatus withUpdatedAt(long at) {
        return change().updatedAt(at).build();
    }

    /** A copy of this status to change: the one path by which a status changes. */
    public Change change() {
        return new Change(this);
    }

    /** Changes to a copy of a status; {@link #build()} makes it. {@code isDone} follows from the state. */
    public static final class Change {
        private final MigrationStatus from;
        private String cursor;
        private long processed;
        private String error;
        private MigrationState state;
        private Long latestStart;
        private Long latestEnd;
        private int batchSize;
        private List<String> next;
        private String runId;
        private String pendingDryRun;
        private List<SegmentStatus> segments;
        private FailedBatch failedBatch;
        private DryRunReport dryRun;
        private String requestedBy;
        private Long total;
        private String throttledBy;
        private Limits limits;
        private String database;
        private LastCommand lastCommand;
        private String pausedBy;
        private String limitedBy;
        private Long pausedSince;
        private long startProcessed;
        private long updatedAt;

        private Change(MigrationStatus s) {
            from = s;
            cursor = s.cursor;
            processed = s.processed;
            error = s.error;
            state = s.state;
            latestStart = s.latestStart;
            latestEnd = s.latestEnd;
            batchSize = s.batchSize;
            next = s.next;
            runId = s.runId;
            pendingDryRun = s.pendingDryRun;
            segments = s.segments;
            failedBatch = s.failedBatch;
            dryRun = s.dryRun;
            requestedBy = s.requestedBy;
            total = s.total;
            throttledBy = s.throttledBy;
            limits = s.limits;
            database = s.database;
            lastCommand = s.lastCommand;
            pausedBy = s.pausedBy;
            limitedBy = s.limitedBy;
            pausedSince = s.pausedSince;
            startProcessed = s.startProcessed;
            updatedAt = s.updatedAt;
        }

        public Change cursor(String v) {
            cursor = v;
            return this;
        }

        public Change processed(long v) {
            processed = v;
            return this;
        }

        public Change error(String v) {
            error = v;
            return this;
        }

        public Change state(MigrationState v) {
            state = v;
            return this;
        }

        public Change latestStart(Long v) {
            latestStart = v;
            return this;
        }

        public Change latestEnd(Long v) {
            latestEnd = v;
            return this;
        }

        public Change batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Change next(List<String> v) {
            next = v;
            return this;
        }

        public Change runId(String v) {
            runId = v;
            return this;
        }

        public Change pendingDryRun(String v) {
            pendingDryRun = v;
            return this;
        }

        public Change segments(List<SegmentStatus> v) {
            segments = v;
            return this;
        }

        public Change failedBatch(FailedBatch v) {
            failedBatch = v;
            return this;
        }

        public Change dryRun(DryRunReport v) {
            dryRun = v;
            return this;
        }

        public Change requestedBy(String v) {
            requestedBy = v;
            return this;
        }

        public Change total(Long v) {
            total = v;
            return this;
        }

        public Change throttledBy(String v) {
            throttledBy = v;
            return this;
        }

        public Change limits(Limits v) {
            limits = v;
            return this;
        }

        public Change database(String v) {
            database = v;
            return this;
        }

        public Change lastCommand(LastCommand v) {
            lastCommand = v;
            return this;
        }

        public Change pausedBy(String v) {
            pausedBy = v;
            return this;
        }

        public Change limitedBy(String v) {
            limitedBy = v;
            return this;
        }

        public Change pausedSince(Long v) {
            pausedSince = v;
            return this;
        }

        public Change startProcessed(long v) {
            startProcessed = v;
            return this;
        }

        public Change updatedAt(long v) {
            updatedAt = v;
            return this;
        }

        public MigrationStatus build() {
            return new MigrationStatus(from.name, cursor, processed, state == MigrationState.SUCCESS, error, state,
                    latestStart, latestEnd, batchSize, next, runId, pendingDryRun, segments, failedBatch, dryRun,
                    requestedBy, total, throttledBy, limits, database, lastCommand, pausedBy, limitedBy, pausedSince,
                    startProcessed, updatedAt);
        }
    }
}
