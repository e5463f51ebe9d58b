package dev.keyway.coordinator.metrics;

import dev.keyway.coordinator.CoordinatorObserver;
import dev.keyway.coordinator.MigrationSnapshot;
import dev.keyway.coordinator.core.Effect;
import dev.keyway.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The coordinator's metrics ({@link MetricNames}): per migration its state, progress, rate, ETA, segments in flight,
 * limits and what holds it back, from snapshots of the coordinator's state taken every {@link #PERIOD} on a scheduler
 * of its own (the coordinator only publishes its state; nothing here runs on its thread but {@link #dropped}, a
 * counter's increment); the tasks waiting for the workers (their group's lag, asked of Kafka on the same schedule);
 * and the records dropped, by kind. A migration whose status the coordinator no longer knows loses its gauges at the
 * next snapshot.
 */
public final class CoordinatorMetrics implements CoordinatorObserver {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorMetrics.class);
    /** How often the gauges follow the coordinator's state and the lag. */
    public static final Duration PERIOD = Duration.ofSeconds(5);

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<Effect.Kind, Counter> dropped = new EnumMap<>(Effect.Kind.class);
    private final Map<String, MigrationMeters> migrations = new HashMap<>();
    private volatile double tasksWaiting = Double.NaN;
    private String lagProblem;

    public CoordinatorMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (Effect.Kind kind : Effect.Kind.values()) {
            dropped.put(kind, Counter.builder(MetricNames.OUTCOMES_DROPPED).tag(MetricNames.TAG_REASON, kind.tag())
                    .register(registry));
        }
        Gauge.builder(MetricNames.TASKS_WAITING, this, self -> self.tasksWaiting).strongReference(true)
                .register(registry);
    }

    @Override
    public void dropped(Effect.Kind kind) {
        dropped.get(kind).increment();
    }

    /**
     * Follows {@code snapshot} (the coordinator's) and {@code lag} (the workers' group on the tasks topic, which may
     * block up to its own timeout) every {@link #PERIOD} on {@code scheduler}, until disposed.
     */
    public Disposable follow(Supplier<List<MigrationSnapshot>> snapshot, LongSupplier lag, Scheduler scheduler) {
        return Flux.interval(Duration.ZERO, PERIOD, scheduler).onBackpressureDrop()
                .subscribe(tick -> {
                    update(snapshot.get(), clock.millis());
                    readLag(lag);
                }, e -> log.warn("the coordinator's metrics stopped following it: {}", e.toString()));
    }

    /**
     * Takes a snapshot of every migration the coordinator knows, taken at {@code now}: new ones get gauges, gone ones
     * lose theirs.
     */
    synchronized void update(List<MigrationSnapshot> all, long now) {
        Set<String> seen = new HashSet<>();
        for (MigrationSnapshot m : all) {
            String name = m.status().name();
            seen.add(name);
            MigrationMeters meters = migrations.get(name);
            if (meters == null) {
                migrations.put(name, new MigrationMeters(registry, m, now));
            } else {
                meters.update(m, now);
            }
        }
        migrations.entrySet().removeIf(e -> {
            boolean gone = !seen.contains(e.getKey());
            if (gone) {
                e.getValue().remove();
            }
            return gone;
        });
    }

    private void readLag(LongSupplier lag) {
        try {
            tasksWaiting = lag.getAsLong();
            lagProblem = null;
        } catch (RuntimeException e) {
            tasksWaiting = Double.NaN;
            if (!String.valueOf(e.getMessage()).equals(lagProblem)) {
                lagProblem = String.valueOf(e.getMessage());
                log.warn("cannot read the workers' lag on the tasks topic: {}", lagProblem);
            }
        }
    }
}
