package dev.keyway.worker.metrics;

import dev.keyway.batch.BatchObserver;
import dev.keyway.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link BatchObserver} that records into a Micrometer registry given by the caller; a batch's duration into a
 * histogram of the buckets of {@link MetricNames#BATCH_DURATION_BUCKETS}, from which Prometheus computes a p99.
 */
public final class MicrometerBatchObserver implements BatchObserver {

    private final MeterRegistry registry;

    public MicrometerBatchObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void batch(String migration, String outcome, int documents, long nanos) {
        Counter.builder(MetricNames.BATCHES).tag(MetricNames.TAG_MIGRATION, migration)
                .tag(MetricNames.TAG_OUTCOME, outcome).register(registry).increment();
        if ("completed".equals(outcome)) {
            Counter.builder(MetricNames.DOCUMENTS).tag(MetricNames.TAG_MIGRATION, migration).register(registry)
                    .increment(documents);
        }
        Timer.builder(MetricNames.BATCH_DURATION).tag(MetricNames.TAG_MIGRATION, migration)
                .serviceLevelObjectives(MetricNames.BATCH_DURATION_BUCKETS.toArray(Duration[]::new))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }
}
