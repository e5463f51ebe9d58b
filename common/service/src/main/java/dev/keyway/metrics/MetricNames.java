package dev.keyway.metrics;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every metric Keyway publishes, named in one place. Prefix {@code keyway.}; Prometheus shows a dotted name with
 * underscores, a counter with {@code _total} and a timer in seconds ({@code keyway_batch_duration_seconds_bucket}).
 * Tag keys below; docs/OPERATIONS.md has the table of what each means and who exports it.
 */
public final class MetricNames {

    // ---- the workers

    /** Counter: batches handled by workers; tags migration, outcome (completed | replayed | failed | dryRun). */
    public static final String BATCHES = "keyway.batches";
    /** Counter: documents processed by committed batches; tag migration. */
    public static final String DOCUMENTS = "keyway.documents";
    /**
     * Timer with histogram buckets ({@link #BATCH_DURATION_BUCKETS}): wall time of one batch in a worker (read,
     * migrateOne, write, commit); tag migration.
     */
    public static final String BATCH_DURATION = "keyway.batch.duration";
    /** The upper bounds of the batch duration's buckets: a p99 is read from them in Prometheus. */
    public static final List<Duration> BATCH_DURATION_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500,
            5_000, 10_000, 30_000).map(Duration::ofMillis).toList();

    // ---- the coordinator, per migration (tag migration), while the active coordinator knows its status

    /** Gauge: 1 for the migration's state, 0 for each other; tag state (inProgress, paused, success, ...). */
    public static final String MIGRATION_STATE = "keyway.migration.state";
    /** Gauge: rows the current run has processed. */
    public static final String MIGRATION_ROWS_PROCESSED = "keyway.migration.rows.processed";
    /** Gauge: the rows the run's plan estimated (NaN while unknown). */
    public static final String MIGRATION_ROWS_ESTIMATED = "keyway.migration.rows.estimated";
    /** Gauge: rows per second over the last minute (0 when nothing moved). */
    public static final String MIGRATION_ROWS_PER_SECOND = "keyway.migration.rows.per.second";
    /** Gauge: seconds left at the last minute's rate (NaN when not running, nothing moved, or no estimate). */
    public static final String MIGRATION_ETA = "keyway.migration.eta.seconds";
    /** Gauge: segments that may have a task out now (0 unless in progress). */
    public static final String MIGRATION_SEGMENTS_IN_FLIGHT = "keyway.migration.segments.in.flight";
    /** Gauge: the run's rate limit in rows per second (0 = none). */
    public static final String MIGRATION_LIMIT_ROWS_PER_SECOND = "keyway.migration.limit.rows.per.second";
    /** Gauge: the run's concurrency limit in segments (0 = all of them). */
    public static final String MIGRATION_LIMIT_CONCURRENCY = "keyway.migration.limit.concurrency";
    /** Gauge: the run's batch size (the most rows a batch may have). */
    public static final String MIGRATION_BATCH_SIZE = "keyway.migration.batch.size";
    /** Gauge: the run's batch duration target in seconds (0 = batches of the batch size). */
    public static final String MIGRATION_BATCH_TARGET = "keyway.migration.batch.target.seconds";
    /** Gauge: 1 while the database's health slows the migration down or paused it ({@code throttledBy}), else 0. */
    public static final String MIGRATION_THROTTLED = "keyway.migration.throttled";
    /**
     * Gauge: 1 for what holds the running migration back now ({@code limitedBy}), 0 for each other; tag reason
     * ({@link #LIMITED_BY_REASONS}).
     */
    public static final String MIGRATION_LIMITED = "keyway.migration.limited";
    /** The closed set of the {@link #TAG_REASON} of {@link #MIGRATION_LIMITED}. */
    public static final List<String> LIMITED_BY_REASONS = List.of("health", "lock_waits", "rate", "slow_start",
            "concurrency", "workers_and_database", "none");

    // ---- the coordinator, overall

    /** Gauge: the tasks waiting for the workers, their consumer group's lag on the tasks topic (NaN while unknown). */
    public static final String TASKS_WAITING = "keyway.tasks.waiting";
    /** Counter: records the coordinator dropped; tag reason (stale, forged, unasked_plan, other_watch, skipped). */
    public static final String OUTCOMES_DROPPED = "keyway.outcomes.dropped";

    public static final String TAG_MIGRATION = "migration";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_STATE = "state";
    public static final String TAG_REASON = "reason";

    private MetricNames() {
    }
}
