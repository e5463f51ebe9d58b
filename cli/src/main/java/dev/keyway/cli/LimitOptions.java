package dev.keyway.cli;

import dev.keyway.message.Limits;
import dev.keyway.migration.Migration;
import picocli.CommandLine.Option;

/** The limits a run (and a verify) may give for itself: a picocli mixin. */
final class LimitOptions {
    @Option(names = "--max-rows-per-second", description = "the most rows per second for this run, across all workers")
    Integer maxRowsPerSecond;
    @Option(names = "--target-batch-millis", description = "size each batch to take about this long (up to the"
            + " batch size); without --batch-size this is the default, with the coordinator's TARGET_BATCH_MILLIS")
    Integer targetBatchMillis;
    @Option(names = "--max-concurrency", description = "the most segments with a batch in flight at once; 0 = all"
            + " (without it, the coordinator's MAX_CONCURRENCY: 2, or all at full speed)")
    Integer maxConcurrency;

    /** The limits given, or null for none (the coordinator's defaults, or a resumed run's own). */
    Limits limits() {
        // 0 asks for every segment: as many as a run may have, so that the coordinator's default does not apply
        Integer concurrency = maxConcurrency != null && maxConcurrency == 0 ? Integer.valueOf(Migration.MAX_SEGMENTS)
                : maxConcurrency;
        return maxRowsPerSecond == null && targetBatchMillis == null && concurrency == null ? null
                : new Limits(maxRowsPerSecond, targetBatchMillis, concurrency);
    }
}
