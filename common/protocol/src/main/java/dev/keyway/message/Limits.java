package dev.keyway.message;

/**
 * Limits of a run that the coordinator enforces across all its workers, from a run's next batches.
 *
 * @param maxRowsPerSecond the most rows per second the whole migration may process: the coordinator spaces
 *     the tasks it hands out so that the rows they may process stay under it; null = no limit
 * @param targetBatchMillis how long a batch should take: the workers size each batch to take about this long,
 *     between 1 row and the run's batch size (see {@link Lease}); null = batches of the run's batch size
 * @param maxConcurrency the most segments with a task in flight at once (the others wait for one to finish);
 *     null = all of them
 */
public record Limits(Integer maxRowsPerSecond, Integer targetBatchMillis, Integer maxConcurrency) {

    public static final int MAX_ROWS_PER_SECOND = 10_000_000;

    public Limits {
        if (maxRowsPerSecond != null && (maxRowsPerSecond < 1 || maxRowsPerSecond > MAX_ROWS_PER_SECOND)) {
            throw new IllegalArgumentException("maxRowsPerSecond must be between 1 and " + MAX_ROWS_PER_SECOND
                    + ", but was " + maxRowsPerSecond);
        }
        if (targetBatchMillis != null && (targetBatchMillis < 1 || targetBatchMillis > Lease.MAX_TARGET_MILLIS)) {
            throw new IllegalArgumentException("targetBatchMillis must be between 1 and " + Lease.MAX_TARGET_MILLIS
                    + ", but was " + targetBatchMillis);
        }
        if (maxConcurrency != null && (maxConcurrency < 1 || maxConcurrency > dev.keyway.migration.Migration.MAX_SEGMENTS)) {
            throw new IllegalArgumentException("maxConcurrency must be between 1 and "
                    + dev.keyway.migration.Migration.MAX_SEGMENTS + ", but was " + maxConcurrency);
        }
    }

    /** A rate limit alone. */
    public Limits(Integer maxRowsPerSecond) {
        this(maxRowsPerSecond, null, null);
    }

    /** A rate limit and a batch duration target. */
    public Limits(Integer maxRowsPerSecond, Integer targetBatchMillis) {
        this(maxRowsPerSecond, targetBatchMillis, null);
    }

    public static Limits none() {
        return new Limits(null, null, null);
    }

    /** These limits with another rate (null, or 0, removes it). */
    public Limits withRate(Integer rowsPerSecond) {
        return new Limits(rowsPerSecond == null || rowsPerSecond == 0 ? null : rowsPerSecond, targetBatchMillis,
                maxConcurrency);
    }

    /** These limits with another batch duration target (null, or 0, means batches of the run's size). */
    public Limits withTarget(Integer millis) {
        return new Limits(maxRowsPerSecond, millis == null || millis == 0 ? null : millis, maxConcurrency);
    }

    /** These limits with another most segments in flight (null, or 0, means all of them). */
    public Limits withConcurrency(Integer segments) {
        return new Limits(maxRowsPerSecond, targetBatchMillis, segments == null || segments == 0 ? null : segments);
    }

    /** Null when no limit is set: the status leaves the field out. */
    public Limits orNull() {
        return maxRowsPerSecond == null && targetBatchMillis == null && maxConcurrency == null ? null : this;
    }
}
