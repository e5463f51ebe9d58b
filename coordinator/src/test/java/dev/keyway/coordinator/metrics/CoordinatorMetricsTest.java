package dev.keyway.coordinator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.MigrationSnapshot;
import dev.keyway.coordinator.core.Effect;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CoordinatorMetrics metrics = new CoordinatorMetrics(registry, Clock.systemUTC());
    /** The time of the next snapshot, in milliseconds. */
    private long now = 1_000_000;

    private static MigrationStatus running(long processed) {
        return MigrationStatus.unknown("backfill", 500).change().state(MigrationState.IN_PROGRESS).processed(processed)
                .total(10_000L).limits(new Limits(2_000, 50, 4)).limitedBy("rate: at most 2000 rows/s").build();
    }

    private double gauge(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        assertTrue(g != null, "no gauge " + name + " " + List.of(tags));
        return g.value();
    }

    @Test
    void aRunningMigrationShowsItsStateProgressRateEtaLimitsAndWhatHoldsItBack() {
        metrics.update(List.of(new MigrationSnapshot(running(1_000), 3)), now);
        now += 30_000;
        metrics.update(List.of(new MigrationSnapshot(running(4_000), 3)), now);

        assertEquals(1, gauge(MetricNames.MIGRATION_STATE, "migration", "backfill", "state", "inProgress"));
        assertEquals(0, gauge(MetricNames.MIGRATION_STATE, "migration", "backfill", "state", "failed"));
        assertEquals(4_000, gauge(MetricNames.MIGRATION_ROWS_PROCESSED, "migration", "backfill"));
        assertEquals(10_000, gauge(MetricNames.MIGRATION_ROWS_ESTIMATED, "migration", "backfill"));
        assertEquals(100, gauge(MetricNames.MIGRATION_ROWS_PER_SECOND, "migration", "backfill"), "3000 rows in 30 s");
        assertEquals(60, gauge(MetricNames.MIGRATION_ETA, "migration", "backfill"), "6000 rows left at 100 rows/s");
        assertEquals(3, gauge(MetricNames.MIGRATION_SEGMENTS_IN_FLIGHT, "migration", "backfill"));
        assertEquals(2_000, gauge(MetricNames.MIGRATION_LIMIT_ROWS_PER_SECOND, "migration", "backfill"));
        assertEquals(4, gauge(MetricNames.MIGRATION_LIMIT_CONCURRENCY, "migration", "backfill"));
        assertEquals(0.05, gauge(MetricNames.MIGRATION_BATCH_TARGET, "migration", "backfill"));
        assertEquals(500, gauge(MetricNames.MIGRATION_BATCH_SIZE, "migration", "backfill"));
        assertEquals(0, gauge(MetricNames.MIGRATION_THROTTLED, "migration", "backfill"));
        assertEquals(1, gauge(MetricNames.MIGRATION_LIMITED, "migration", "backfill", "reason", "rate"));
        assertEquals(0, gauge(MetricNames.MIGRATION_LIMITED, "migration", "backfill", "reason", "none"));
    }

    @Test
    void theRateIsOverTheLastMinuteOnly() {
        metrics.update(List.of(new MigrationSnapshot(running(0), 1)), now);
        now += 60_000;
        metrics.update(List.of(new MigrationSnapshot(running(6_000), 1)), now);
        now += 60_000;
        metrics.update(List.of(new MigrationSnapshot(running(6_600), 1)), now);
        assertEquals(10, gauge(MetricNames.MIGRATION_ROWS_PER_SECOND, "migration", "backfill"),
                "600 rows in the last minute, not 6600 in two");
    }

    @Test
    void aThrottledOrEndedMigrationSaysSoAndAGoneOneLosesItsGauges() {
        metrics.update(List.of(new MigrationSnapshot(running(10).change().throttledBy("replica lag 70 MiB > 64 MiB")
                .limitedBy("health: replica lag").build(), 1)), now);
        assertEquals(1, gauge(MetricNames.MIGRATION_THROTTLED, "migration", "backfill"));
        assertEquals(1, gauge(MetricNames.MIGRATION_LIMITED, "migration", "backfill", "reason", "health"));

        metrics.update(List.of(new MigrationSnapshot(running(10).change().state(MigrationState.FAILED).build(), 0)), now);
        assertEquals(1, gauge(MetricNames.MIGRATION_STATE, "migration", "backfill", "state", "failed"));
        assertTrue(Double.isNaN(gauge(MetricNames.MIGRATION_ETA, "migration", "backfill")), "no ETA when not running");
        assertEquals(1, gauge(MetricNames.MIGRATION_LIMITED, "migration", "backfill", "reason", "none"));

        metrics.update(List.of(), now);
        assertNull(registry.find(MetricNames.MIGRATION_STATE).tags("migration", "backfill").gauge());
        assertTrue(registry.find(MetricNames.MIGRATION_ROWS_PROCESSED).gauges().isEmpty());
    }

    @Test
    void dropsAreCountedByKindAndEveryKindIsThereFromTheStart() {
        assertEquals(0, registry.find(MetricNames.OUTCOMES_DROPPED).tags("reason", "forged").counter().count());
        metrics.dropped(Effect.Kind.STALE);
        metrics.dropped(Effect.Kind.STALE);
        assertEquals(2, registry.find(MetricNames.OUTCOMES_DROPPED).tags("reason", "stale").counter().count());
        assertEquals(Effect.Kind.values().length, registry.find(MetricNames.OUTCOMES_DROPPED).counters().size());
        assertTrue(Double.isNaN(registry.find(MetricNames.TASKS_WAITING).gauge().value()), "unknown until read");
    }
}
