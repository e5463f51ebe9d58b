package dev.keyway.coordinator.metrics;

import dev.keyway.coordinator.MigrationSnapshot;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of one migration ({@link MetricNames}, tag {@code migration}): they read the latest snapshot this holds,
 * which {@link #update} replaces; {@link #remove} takes them off the registry. Rows per second are over the last
 * minute of the snapshots it was given. Updated by one thread; read by the scraper's.
 */
final class MigrationMeters {

    /** The window of the rate. */
    static final long RATE_WINDOW_MS = 60_000;

    /** A reading of the rows processed, for the rate. */
    private record Sample(long at, long processed) {
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Deque<Sample> samples = new ArrayDeque<>();
    private volatile MigrationSnapshot latest;
    private volatile double rowsPerSecond;

    MigrationMeters(MeterRegistry registry, MigrationSnapshot first, long now) {
        this.registry = registry;
        update(first, now);
        Tags migration = Tags.of(MetricNames.TAG_MIGRATION, first.status().name());
        for (MigrationState s : MigrationState.values()) {
            gauge(MetricNames.MIGRATION_STATE, migration.and(MetricNames.TAG_STATE, s.json()),
                    m -> m.status().state() == s ? 1 : 0);
        }
        gauge(MetricNames.MIGRATION_ROWS_PROCESSED, migration, m -> m.status().progress().processed());
        gauge(MetricNames.MIGRATION_ROWS_ESTIMATED, migration, m -> m.status().progress().total() == null ? Double.NaN
                : m.status().progress().total());
        meters.add(Gauge.builder(MetricNames.MIGRATION_ROWS_PER_SECOND, this, self -> self.rowsPerSecond)
                .tags(migration).strongReference(true).register(registry));
        meters.add(Gauge.builder(MetricNames.MIGRATION_ETA, this, MigrationMeters::etaSeconds)
                .tags(migration).strongReference(true).register(registry));
        gauge(MetricNames.MIGRATION_SEGMENTS_IN_FLIGHT, migration, MigrationSnapshot::segmentsInFlight);
        gauge(MetricNames.MIGRATION_LIMIT_ROWS_PER_SECOND, migration, m -> orZero(limits(m).maxRowsPerSecond()));
        gauge(MetricNames.MIGRATION_LIMIT_CONCURRENCY, migration, m -> orZero(limits(m).maxConcurrency()));
        gauge(MetricNames.MIGRATION_BATCH_SIZE, migration, m -> m.status().pace().batchSize());
        gauge(MetricNames.MIGRATION_BATCH_TARGET, migration, m -> orZero(limits(m).targetBatchMillis()) / 1000.0);
        gauge(MetricNames.MIGRATION_THROTTLED, migration, m -> m.status().pace().throttledBy() == null ? 0 : 1);
        for (String reason : MetricNames.LIMITED_BY_REASONS) {
            gauge(MetricNames.MIGRATION_LIMITED, migration.and(MetricNames.TAG_REASON, reason),
                    m -> reason.equals(limitedBy(m.status())) ? 1 : 0);
        }
    }

    private void gauge(String name, Tags tags, ToDoubleFunction<MigrationSnapshot> value) {
        meters.add(Gauge.builder(name, this, self -> value.applyAsDouble(self.latest)).tags(tags).strongReference(true)
                .register(registry));
    }

    /** The migration as the coordinator knows it at {@code now}; a new run (fewer rows processed) restarts the rate. */
    void update(MigrationSnapshot now, long at) {
        long processed = now.status().progress().processed();
        if (!samples.isEmpty() && processed < samples.peekLast().processed()) {
            samples.clear();
        }
        samples.addLast(new Sample(at, processed));
        // keep one sample at or before the window's start, so the rate spans the whole minute once there is one
        while (samples.size() > 1 && second().at() <= at - RATE_WINDOW_MS) {
            samples.removeFirst();
        }
        Sample first = samples.peekFirst();
        long span = at - first.at();
        rowsPerSecond = !now.status().state().running() || span <= 0 ? 0
                : (processed - first.processed()) * 1000.0 / span;
        latest = now;
    }

    private Sample second() {
        Iterator<Sample> it = samples.iterator();
        it.next();
        return it.next();
    }

    private double etaSeconds() {
        MigrationStatus st = latest.status();
        Long total = st.progress().total();
        double rate = rowsPerSecond;
        if (!st.state().running() || total == null || rate <= 0) {
            return Double.NaN;
        }
        return Math.max(0, total - st.progress().processed()) / rate;
    }

    /**
     * What holds the running migration back, as a tag: the first word(s) of its {@code limitedBy} ("rate: at most
     * 500 rows/s" is {@code rate}); {@code none} when nothing does or it is not running.
     */
    static String limitedBy(MigrationStatus st) {
        String text = st.pace().limitedBy();
        if (text == null || !st.state().running()) {
            return "none";
        }
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).trim().toLowerCase(Locale.ROOT).replace(' ', '_');
        return MetricNames.LIMITED_BY_REASONS.contains(kind) ? kind : "none";
    }

    private static Limits limits(MigrationSnapshot m) {
        Limits l = m.status().pace().limits();
        return l == null ? Limits.none() : l;
    }

    private static double orZero(Integer value) {
        return value == null ? 0 : value;
    }

    void remove() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
