package dev.keyway.message;

/**
 * Limits of a run that the coordinator enforces across all its workers, from a run's next batches.
 *
 * @param maxRowsPerSecond the most rows per second the whole migration may process: the coordinator spaces
 *     the batches it hands out so that batch size / spacing stays under it; null = no limit
 */
public record Limits(Integer maxRowsPerSecond) {

    public static final int MAX_ROWS_PER_SECOND = 10_000_000;

    public Limits {
        if (maxRowsPerSecond != null && (maxRowsPerSecond < 1 || maxRowsPerSecond > MAX_ROWS_PER_SECOND)) {
            throw new IllegalArgumentException("maxRowsPerSecond must be between 1 and " + MAX_ROWS_PER_SECOND
                    + ", but was " + maxRowsPerSecond);
        }
    }

    public static Limits none() {
        return new Limits(null);
    }
}
