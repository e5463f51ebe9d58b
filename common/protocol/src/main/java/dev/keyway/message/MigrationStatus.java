package dev.keyway.message;

import java.util.List;

/**
 * The status of one migration: the value on the compacted {@code status} topic (key = name), and
 * the coordinator's whole state for it (the topic is its changelog).
 *
 * <p>Its fields come in groups: the {@link Run} (which run, who started it, when it ran, what comes next), its
 * {@link Progress} (cursor, rows, segments), its {@link Pace} (batch size, limits and what holds it back), its
 * {@link Failure} and its {@link DryRuns}. On the wire the groups are flattened: the JSON has every field at its
 * top level, in the order of docs/CONTRACTS.md (the codec writes them so). Times are epoch millis.
 *
 * @param lastCommand the latest command carried out for this migration and who asked for it, or null
 * @param updatedAt when this status was written
 */
public record MigrationStatus(String name, MigrationState state, Run run, Progress progress, Pace pace,
                              Failure failure, DryRuns dryRuns, Verification verification, LastCommand lastCommand,
                              long updatedAt) {

    /** {@code pausedBy} of a run an operator paused: only {@code resume} goes on with it. */
    public static final String PAUSED_BY_OPERATOR = "operator";
    /** {@code pausedBy} of a run a health signal paused: it resumes when health returns, or by {@code resume}. */
    public static final String PAUSED_BY_HEALTH = "health";

    public MigrationStatus {
        run = run == null ? Run.none() : run;
        progress = progress == null ? Progress.none() : progress;
        pace = pace == null ? new Pace(0, null, null, null) : pace;
        failure = failure == null ? Failure.none() : failure;
        dryRuns = dryRuns == null ? DryRuns.none() : dryRuns;
        verification = verification == null ? Verification.NONE : verification;
    }

    /**
     * The latest run: which plan, who started it, when it ran, and what comes after it.
     *
     * @param runId identifies the current segment plan; it changes only when a run starts over
     * @param next the rest of the series, started after success
     * @param requestedBy who started or resumed the latest run
     * @param database the identity of the database the latest run ran against (its {@code keyway_database} row;
     *     never a URL or a credential), or null for a status written before it was recorded
     * @param latestStart when the run last started running: its start and each resume
     * @param latestEnd when it succeeded, failed or was canceled; null while it runs
     * @param pausedBy who paused the run: {@value #PAUSED_BY_OPERATOR} (it stays paused until resumed) or
     *     {@value #PAUSED_BY_HEALTH} (it resumes on its own when health returns); null when not paused. A paused
     *     status written before this field existed has none, and is treated as paused by an operator
     * @param pausedSince when the run was paused, while it is paused (null otherwise)
     * @param startedAt when the run was started by {@code run} (a resume keeps it), for its duration; null for a
     *     status written before the field existed
     * @param notify the notification targets the run named ({@code run --notify}): names of the coordinator's
     *     {@code NOTIFY_URL_<NAME>} settings, never URLs
     * @param quarantine whether and how far the run sets failing documents aside, and whether it walks only them
     * @param kind what the run does with its rows: migrate them, verify them, fix what a verify found, or undo a run
     * @param undoOf for an undo: the run it takes back, and whether it forces; else null
     * @param keepImages the run keeps a before-image of each row it changes ({@code keyway_images}), for an undo
     */
    public record Run(String runId, List<String> next, String requestedBy, String database, Long latestStart,
                      Long latestEnd, String pausedBy, Long pausedSince, Long startedAt, List<String> notifyTargets,
                      Quarantine quarantine, RunKind kind, UndoOf undoOf, boolean keepImages) {
        public Run {
            next = next == null ? List.of() : List.copyOf(next);
            notifyTargets = notifyTargets == null ? List.of() : List.copyOf(notifyTargets);
            quarantine = quarantine == null ? Quarantine.OFF : quarantine;
            kind = kind == null ? RunKind.MIGRATE : kind;
        }

        /** How many documents the run may set aside before it fails; null when quarantine is off. */
        public Long maxQuarantined() {
            return quarantine.max();
        }

        /** The run walks only the documents in quarantine ({@code retry FN --quarantined}). */
        public boolean onlyQuarantined() {
            return quarantine.only();
        }

        static Run none() {
            return new Run(null, List.of(), null, null, null, null, null, null, null, List.of(), Quarantine.OFF,
                    RunKind.MIGRATE, null, false);
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
    }

    /**
     * A run's quarantine (docs/CONTRACTS.md, section 7).
     *
     * @param max how many documents the run may set aside before it fails; null when quarantine is off, or while a
     *     percentage waits for the run's total (its plan)
     * @param percent the percentage of the run's rows {@code max} was asked as ({@code --max-quarantined 0.1%}), or
     *     null for a count
     * @param only the run walks only the documents in quarantine ({@code retry FN --quarantined})
     */
    public record Quarantine(Long max, Double percent, boolean only) {
        public static final Quarantine OFF = new Quarantine(null, null, false);
    }

    /**
     * How far the run got. {@code cursor} is the overall restart point: for a single segment, the cursor of its last
     * committed batch; for a segmented run, the position of the first segment that is not done (every document
     * before it has been processed). {@code processed} is the sum over the segments of the current run.
     *
     * @param total the number of rows the run walks, counted when it was planned (null when it started from an
     *     explicit cursor); with {@code processed} and the run's {@code latestStart} it gives progress and ETA
     * @param startProcessed the rows the run had processed at its {@code latestStart} (a resumed run had some):
     *     rates and ETA count the rows and the time since the run last started running
     *     ({@link MigrationStatus#rowsPerSecond})
     * @param segments each segment's range, cursor and progress
     * @param quarantined documents the current run set aside ({@code keyway_quarantine}), as the ledger counted them
     * @param conflicts for an undo: the rows it left as they are because the application changed them since the run it
     *     takes back ({@code keyway_undo_conflicts}), as the ledger counted them; else 0
     */
    public record Progress(String cursor, long processed, Long total, long startProcessed,
                           List<SegmentStatus> segments, long quarantined, long conflicts) {
        public Progress {
            segments = segments == null ? List.of() : List.copyOf(segments);
        }

        static Progress none() {
            return new Progress(null, 0, null, 0, List.of(), 0, 0);
        }
    }

    /**
     * How fast the run may go, and what holds it back.
     *
     * @param batchSize the batch size of the current run (the most rows a batch may have)
     * @param limits the limits in force for the run (rows per second, batch duration target, concurrency), or null
     *     for none
     * @param throttledBy why the database's health slows the migration down or paused it (a health signal past its
     *     limit); null when health does not hold it back
     * @param limitedBy why the run goes no faster now, as the coordinator last saw it: its rate limit, its
     *     concurrency limit, a slow start, a health signal, lock waits, or the workers and database themselves
     *     (every segment that may go on has a task in flight); null when not running
     */
    public record Pace(int batchSize, Limits limits, String throttledBy, String limitedBy) {
    }

    /**
     * Why the run failed.
     *
     * @param error why, while the state is failed; else null
     * @param batch the batch that failed: segment, cursor, document and task location (for replay), or null
     */
    public record Failure(String error, FailedBatch batch) {
        static Failure none() {
            return new Failure(null, null);
        }
    }

    /**
     * The migration's dry runs.
     *
     * @param pending the run id of a dry run in flight, or null
     * @param last the last dry run's report, or null
     */
    public record DryRuns(String pending, DryRunReport last) {
        static DryRuns none() {
            return new DryRuns(null, null);
        }
    }

    /**
     * What the migration's last verify found (docs/CONTRACTS.md, section 8): kept after it ends, until another run
     * starts.
     *
     * @param mismatched the rows for which {@code migrateOne} would still change something, as the ledger counted them
     *     (each is in {@code keyway_verify})
     * @param sample a few of them with their would-be change (at most {@value #MAX_SAMPLE}, long values cut)
     */
    public record Verification(long mismatched, List<Event.DocumentChange> sample) {
        /** The most documents {@code sample} shows. */
        public static final int MAX_SAMPLE = 10;
        public static final Verification NONE = new Verification(0, List.of());

        public Verification {
            sample = sample == null ? List.of()
                    : List.copyOf(sample.subList(0, Math.min(sample.size(), MAX_SAMPLE)));
        }
    }

    /** The status of a migration that has never run. */
    public static MigrationStatus unknown(String name, int batchSize) {
        return new MigrationStatus(name, MigrationState.UNKNOWN, Run.none(),
                Progress.none(), new Pace(batchSize, null, null, null), Failure.none(), DryRuns.none(), Verification.NONE,
                null, 0);
    }

    /**
     * True when the migration's run succeeded (the component's {@code isDone}): its state is success, or a verify
     * of it runs, is paused, or ended (verified or verifyFailed: a verify follows only a run that succeeded); false
     * while and after an undo (it takes the run back).
     */
    public boolean isDone() {
        if (run.kind() == RunKind.UNDO) {
            return false; // an undo that succeeded took the migration's run back
        }
        return state == MigrationState.SUCCESS || state == MigrationState.VERIFYING || state == MigrationState.VERIFIED
                || state == MigrationState.VERIFY_FAILED || state == MigrationState.PAUSED && run.kind() == RunKind.VERIFY;
    }

    /**
     * A new or resumed run: state inProgress (verifying for a verify: the run's {@code kind} as this status has it),
     * no error, the given plan and options. The last dry run's report is dropped: it was shown when the dry run
     * ended, and the run makes it stale. A verify's findings stay (a resumed verify adds to them).
     */
    public MigrationStatus started(String newRunId, List<SegmentStatus> segs, int size, List<String> nextFns,
                                   String by, Long rows, long now) {
        return change().state(run.kind().running()).error(null).latestStart(now).latestEnd(null).batchSize(size)
                .next(nextFns).runId(newRunId).failedBatch(null).requestedBy(by).total(rows).dryRun(null).limitedBy(null)
                .pausedSince(null).startProcessed(0).startedAt(now).build()
                .withSegments(segs);
    }

    /** The same status with these segments; {@code cursor} and {@code processed} follow from them. */
    public MigrationStatus withSegments(List<SegmentStatus> segs) {
        String overall = segs.isEmpty() ? progress.cursor() : segs.get(segs.size() - 1).position();
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
        boolean ended = st == MigrationState.SUCCESS || st == MigrationState.FAILED || st == MigrationState.CANCELED
                || st == MigrationState.VERIFIED || st == MigrationState.VERIFY_FAILED;
        return change().state(st).error(err).latestEnd(end).throttledBy(ended ? null : pace.throttledBy())
                .limitedBy(st.running() ? pace.limitedBy() : null)
                .pausedBy(st == MigrationState.PAUSED ? run.pausedBy() : null).build();
    }

    /** This run paused at {@code now} by {@code by} ({@value #PAUSED_BY_OPERATOR} or {@value #PAUSED_BY_HEALTH}). */
    public MigrationStatus pausedAt(long now, String by) {
        return change().state(MigrationState.PAUSED).pausedBy(by).limitedBy(null)
                .pausedSince(run.pausedSince() == null ? now : run.pausedSince()).build();
    }

    /** This paused run going on at {@code now}: it starts running again ({@code latestStart}, {@code startProcessed}). */
    public MigrationStatus resumedAt(long now) {
        return change().state(run.kind().running()).pausedBy(null).pausedSince(null).latestStart(now)
                .startProcessed(progress.processed()).build();
    }

    /** Rows per second since the run last started running (paused time not counted), or 0 before it ran a moment. */
    public double rowsPerSecond(long now) {
        long ran = run.runningMillis(now);
        return ran <= 0 ? 0 : Math.max(0, progress.processed() - progress.startProcessed()) * 1000.0 / ran;
    }

    /** Whether a health signal paused the run (not an operator): health resumes only such a run. */
    public boolean pausedByHealth() {
        return state == MigrationState.PAUSED && PAUSED_BY_HEALTH.equals(run.pausedBy());
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
    public StatusChange change() {
        return new StatusChange(this);
    }
}
