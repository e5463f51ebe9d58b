package dev.keyway.message;

/**
 * How a run's batches are sized, as an answer or a listing shows it: a fixed number of rows, or by time (the workers
 * size each batch to take about {@code targetMillis}, between 1 row and {@code maxRows}).
 *
 * @param maxRows the rows of every batch, or the most a batch sized by time may have; at least 1
 * @param targetMillis what a batch sized by time aims at, in ms; null = batches of {@code maxRows}
 */
public record BatchSizing(int maxRows, Integer targetMillis) {

    public BatchSizing {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, but was " + maxRows);
        }
        if (targetMillis != null && targetMillis < 1) {
            throw new IllegalArgumentException("targetMillis must be at least 1 (or absent), but was " + targetMillis);
        }
    }

    /** The sizing of a run of this batch size with these limits (a batch time target, or none; null = none). */
    public static BatchSizing of(int batchSize, Limits limits) {
        return new BatchSizing(batchSize, limits == null ? null : limits.targetBatchMillis());
    }

    /** For people: {@code batch size 500}, or {@code sized by time: target 200 ms, at most 1000 rows}. */
    public String describe() {
        return targetMillis == null ? "batch size " + maxRows
                : "sized by time: target " + targetMillis + " ms, at most " + maxRows + " rows";
    }
}
