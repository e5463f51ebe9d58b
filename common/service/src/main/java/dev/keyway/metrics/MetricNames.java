package dev.keyway.metrics;

/** Every metric Keyway publishes, named in one place. Prefix {@code keyway.}; tag keys below. */
public final class MetricNames {

    /** Counter: batches handled by workers; tags migration, outcome (completed | replayed | failed | dryRun). */
    public static final String BATCHES = "keyway.batches";
    /** Counter: documents processed by committed batches; tag migration. */
    public static final String DOCUMENTS = "keyway.documents";
    /** Timer: wall time of one batch in a worker (read, migrateOne, write, commit); tag migration. */
    public static final String BATCH_DURATION = "keyway.batch.duration";

    public static final String TAG_MIGRATION = "migration";
    public static final String TAG_OUTCOME = "outcome";

    private MetricNames() {
    }
}
