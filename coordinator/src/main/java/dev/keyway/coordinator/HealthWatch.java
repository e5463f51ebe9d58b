package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.message.Event;
import dev.keyway.store.Store;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Reads the database's health signals ({@link HealthSignal}) once a period, one small query each for the
 * whole cluster, and tells the coordinator through the events topic, as a share of time migrations may work
 * (additive increase, multiplicative decrease):
 * <ul>
 *   <li>a signal past its hard limit: {@code healthy: false} (pause), every period while it stays there;</li>
 *   <li>a signal past its limit: the share halves, down to {@value #MIN_DUTY} %;</li>
 *   <li>every signal under half its limit: the share grows by {@value #STEP} points, up to 100 % (a paused
 *       migration resumes at the share it had); in between, it holds.</li>
 * </ul>
 * It tells a change of the share, and the first reading after {@link #reset()}. The coordinator takes only the
 * events of its own watch ({@link #id()}).
 */
final class HealthWatch {

    private static final Logger log = LoggerFactory.getLogger(HealthWatch.class);

    private final Store store;
    private final HealthLimits limits;
    private final KafkaGateway kafka;
    private final JsonCodec codec;
    private final Scheduler scheduler;
    /** The lowest share of time a slowed-down migration works, in percent. */
    static final int MIN_DUTY = 1;
    /** How much the share grows each period every signal is under half its limit, in points. */
    static final int STEP = 10;

    private final String id = UUID.randomUUID().toString();
    /** The last state told, or null: tell the next reading whatever it is. */
    private volatile Boolean told;
    /** The share of time migrations may work, in percent. */
    private volatile int duty = 100;
    private volatile int toldDuty = -1;

    HealthWatch(Store store, HealthLimits limits, KafkaGateway kafka, JsonCodec codec, Scheduler scheduler) {
        this.store = store;
        this.limits = limits;
        this.kafka = kafka;
        this.codec = codec;
        this.scheduler = scheduler;
    }

    String id() {
        return id;
    }

    /** Tells the next reading even if it did not change: a coordinator that takes over must hear the state. */
    void reset() {
        told = null;
        duty = 100;
    }

    /** Runs until cancelled; a reading that fails is logged and the next one tried. */
    Mono<Void> run() {
        return Flux.interval(limits.period(), scheduler)
                .onBackpressureDrop() // a slow reading skips ticks rather than piling them up
                .concatMap(tick -> Mono.fromCallable(this::read).subscribeOn(scheduler)
                        .flatMap(this::tell)
                        .onErrorResume(e -> {
                            log.warn("cannot read the database's health: {}", e.getMessage());
                            return Mono.empty();
                        }))
                .then();
    }

    /** One reading of every signal, in order. */
    private long[] read() {
        List<HealthSignal> signals = limits.signals();
        long[] values = new long[signals.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = signals.get(i).read(store);
        }
        return values;
    }

    private Mono<Void> tell(long[] values) {
        Event.HealthChanged change = next(values);
        if (change == null) {
            return Mono.empty();
        }
        return kafka.publish(List.of(new Outbound(kafka.settings().topics().events(), "*", codec.encode(change))));
    }

    /** What to tell after this reading, or null. Package-private for the unit test. */
    Event.HealthChanged next(long[] values) {
        List<HealthSignal> signals = limits.signals();
        String hard = null;
        String over = null;
        boolean allUnderHalf = true;
        StringBuilder readings = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            HealthSignal s = signals.get(i);
            if (hard == null && values[i] > s.hardLimit()) {
                hard = "paused: " + s.name() + " " + values[i] + " > " + s.hardLimit() + " (twice its limit)";
            }
            if (over == null && values[i] > s.limit()) {
                over = s.name() + " " + values[i] + " > " + s.limit();
            }
            allUnderHalf &= values[i] <= s.limit() / 2;
            readings.append(i == 0 ? "" : ", ").append(s.name()).append(' ').append(values[i]);
        }
        if (hard != null) {
            duty = MIN_DUTY;
            told = false;
            return new Event.HealthChanged("*", id, false, hard);
        }
        boolean paused = Boolean.FALSE.equals(told);
        if (paused && !allUnderHalf) {
            return null; // under the hard limit, not yet under half of the limit: stays paused
        }
        if (over != null) {
            duty = Math.max(MIN_DUTY, duty / 2);
        } else if (allUnderHalf && !paused) {
            duty = Math.min(100, duty + STEP);
        }
        if (!paused && Boolean.TRUE.equals(told) && duty == toldDuty) {
            return null;
        }
        told = true;
        toldDuty = duty;
        String reason = duty == 100 ? readings + ": under half of each limit"
                : "throttled to " + duty + "%: " + (over != null ? over : readings + ", under half of each limit, speeding up");
        return new Event.HealthChanged("*", id, true, reason, duty);
    }
}
