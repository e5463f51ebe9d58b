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
 * whole cluster, and tells the coordinator through the events topic: {@code healthy: false} every period
 * while a signal is past its limit, {@code healthy: true} once when every signal is back under half of its.
 * The coordinator takes only the events of its own watch ({@link #id()}).
 */
final class HealthWatch {

    private static final Logger log = LoggerFactory.getLogger(HealthWatch.class);

    private final Store store;
    private final HealthLimits limits;
    private final KafkaGateway kafka;
    private final JsonCodec codec;
    private final Scheduler scheduler;
    private final String id = UUID.randomUUID().toString();
    /** The last state told, or null: tell the next reading whatever it is. */
    private volatile Boolean told;

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
        List<HealthSignal> signals = limits.signals();
        String over = null;
        boolean allUnderHalf = true;
        StringBuilder readings = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            HealthSignal s = signals.get(i);
            if (over == null && values[i] > s.limit()) {
                over = "throttled: " + s.name() + " " + values[i] + " > " + s.limit();
            }
            allUnderHalf &= values[i] <= s.limit() / 2;
            readings.append(i == 0 ? "" : ", ").append(s.name()).append(' ').append(values[i]);
        }
        Event.HealthChanged change;
        if (over != null) {
            change = new Event.HealthChanged("*", id, false, over);
        } else if (allUnderHalf && !Boolean.TRUE.equals(told)) {
            change = new Event.HealthChanged("*", id, true, readings + ": under half of each limit");
        } else {
            return Mono.empty();
        }
        told = change.healthy();
        return kafka.publish(List.of(new Outbound(kafka.settings().topics().events(), "*", codec.encode(change))));
    }
}
