package dev.keyway.message;

import java.util.List;

/**
 * Changes to a copy of a {@link MigrationStatus}, field by field whatever group holds the field; {@link #build()} makes
 * it. The one path by which a status changes ({@link MigrationStatus#change()}).
 */
public final class StatusChange {
    private final String name;
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
    private Long startedAt;
    private List<String> notifyTargets;
    private long quarantined;
    private Long maxQuarantined;
    private Double maxQuarantinedPercent;
    private boolean onlyQuarantined;
    private RunKind kind;
    private UndoOf undoOf;
    private boolean keepImages;
    private long conflicts;
    private MigrationStatus.Verification verification;

    StatusChange(MigrationStatus s) {
        MigrationStatus.Run run = s.run();
        MigrationStatus.Progress progress = s.progress();
        MigrationStatus.Pace pace = s.pace();
        MigrationStatus.Failure failure = s.failure();
        MigrationStatus.DryRuns dryRuns = s.dryRuns();
        name = s.name();
        cursor = progress.cursor();
        processed = progress.processed();
        error = failure.error();
        state = s.state();
        latestStart = run.latestStart();
        latestEnd = run.latestEnd();
        batchSize = pace.batchSize();
        next = run.next();
        runId = run.runId();
        pendingDryRun = dryRuns.pending();
        segments = progress.segments();
        failedBatch = failure.batch();
        dryRun = dryRuns.last();
        requestedBy = run.requestedBy();
        total = progress.total();
        throttledBy = pace.throttledBy();
        limits = pace.limits();
        database = run.database();
        lastCommand = s.lastCommand();
        pausedBy = run.pausedBy();
        limitedBy = pace.limitedBy();
        pausedSince = run.pausedSince();
        startProcessed = progress.startProcessed();
        updatedAt = s.updatedAt();
        startedAt = run.startedAt();
        notifyTargets = run.notifyTargets();
        quarantined = progress.quarantined();
        maxQuarantined = run.quarantine().max();
        maxQuarantinedPercent = run.quarantine().percent();
        onlyQuarantined = run.quarantine().only();
        kind = run.kind();
        undoOf = run.undoOf();
        keepImages = run.keepImages();
        conflicts = progress.conflicts();
        verification = s.verification();
    }

    public StatusChange cursor(String v) {
        cursor = v;
        return this;
    }

    public StatusChange processed(long v) {
        processed = v;
        return this;
    }

    public StatusChange error(String v) {
        error = v;
        return this;
    }

    public StatusChange state(MigrationState v) {
        state = v;
        return this;
    }

    public StatusChange latestStart(Long v) {
        latestStart = v;
        return this;
    }

    public StatusChange latestEnd(Long v) {
        latestEnd = v;
        return this;
    }

    public StatusChange batchSize(int v) {
        batchSize = v;
        return this;
    }

    public StatusChange next(List<String> v) {
        next = v;
        return this;
    }

    public StatusChange runId(String v) {
        runId = v;
        return this;
    }

    public StatusChange pendingDryRun(String v) {
        pendingDryRun = v;
        return this;
    }

    public StatusChange segments(List<SegmentStatus> v) {
        segments = v;
        return this;
    }

    public StatusChange failedBatch(FailedBatch v) {
        failedBatch = v;
        return this;
    }

    public StatusChange dryRun(DryRunReport v) {
        dryRun = v;
        return this;
    }

    public StatusChange requestedBy(String v) {
        requestedBy = v;
        return this;
    }

    public StatusChange total(Long v) {
        total = v;
        return this;
    }

    public StatusChange throttledBy(String v) {
        throttledBy = v;
        return this;
    }

    public StatusChange limits(Limits v) {
        limits = v;
        return this;
    }

    public StatusChange database(String v) {
        database = v;
        return this;
    }

    public StatusChange lastCommand(LastCommand v) {
        lastCommand = v;
        return this;
    }

    public StatusChange pausedBy(String v) {
        pausedBy = v;
        return this;
    }

    public StatusChange limitedBy(String v) {
        limitedBy = v;
        return this;
    }

    public StatusChange pausedSince(Long v) {
        pausedSince = v;
        return this;
    }

    public StatusChange startProcessed(long v) {
        startProcessed = v;
        return this;
    }

    public StatusChange updatedAt(long v) {
        updatedAt = v;
        return this;
    }

    public StatusChange startedAt(Long v) {
        startedAt = v;
        return this;
    }

    public StatusChange notifyTargets(List<String> v) {
        notifyTargets = v;
        return this;
    }

    public StatusChange quarantined(long v) {
        quarantined = v;
        return this;
    }

    public StatusChange maxQuarantined(Long v) {
        maxQuarantined = v;
        return this;
    }

    public StatusChange maxQuarantinedPercent(Double v) {
        maxQuarantinedPercent = v;
        return this;
    }

    public StatusChange onlyQuarantined(boolean v) {
        onlyQuarantined = v;
        return this;
    }

    public StatusChange kind(RunKind v) {
        kind = v;
        return this;
    }

    public StatusChange undoOf(UndoOf v) {
        undoOf = v;
        return this;
    }

    public StatusChange keepImages(boolean v) {
        keepImages = v;
        return this;
    }

    public StatusChange conflicts(long v) {
        conflicts = v;
        return this;
    }

    public StatusChange verification(MigrationStatus.Verification v) {
        verification = v;
        return this;
    }

    public MigrationStatus build() {
        return new MigrationStatus(name, state,
                new MigrationStatus.Run(runId, next, requestedBy, database, latestStart, latestEnd, pausedBy, pausedSince,
                        startedAt, notifyTargets,
                        new MigrationStatus.Quarantine(maxQuarantined, maxQuarantinedPercent, onlyQuarantined), kind, undoOf,
                        keepImages),
                new MigrationStatus.Progress(cursor, processed, total, startProcessed, segments, quarantined,
                        conflicts),
                new MigrationStatus.Pace(batchSize, limits, throttledBy, limitedBy),
                new MigrationStatus.Failure(error, failedBatch), new MigrationStatus.DryRuns(pendingDryRun, dryRun),
                verification, lastCommand, updatedAt);
    }
}
