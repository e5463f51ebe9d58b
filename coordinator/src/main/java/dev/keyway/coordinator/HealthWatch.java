package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.store.HealthProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *       migration resumes at the share it had); in between, it holds;</li>
 *   <li>a signal that cannot be read is unknown, never 0, and the others are still read: it pauses like a hard
 *       limit, or holds the last state ({@link HealthLimits.WhenUnknown}); the reason names it and why.</li>
 * </ul>
 * It tells a change of the share or of the signals it cannot read, and the first reading after {@link #reset()}.
 * The coordinator takes only the events of its own watch ({@link #id()}).
 */
final class HealthWatch {

    private static final Logger log = LoggerFactory.getLogger(HealthWatch.class);

    private final HealthProbe store;
    private final HealthLimits limits;
    private final KafkaGateway kafka;
    private final JsonCodec codec;
    private final Scheduler scheduler;
    /** The lowest share of time a slowed-down migration works, in percent. */
    static final int MIN_DUTY = 1;
    /** How much the share grows each period every signal is under half its limit, in points. */
    static final int STEP = 10;
    /** How much of why a signal cannot be read the status quotes, in characters. */
    static final int MAX_WHY = 200;

    private final String id = UUID.randomUUID().toString();
    /** The last state told, or null: tell the next reading whatever it is. */
    private volatile Boolean told;
    /** The share of time migrations may work, in percent. */
    private volatile int duty = 100;
    private volatile int toldDuty = -1;
    /** The signals the last event told as unknown. */
    private volatile List<String> toldUnknown = List.of();
    /** The signals the last reading could not read, for the log. */
    private volatile List<String> loggedUnknown = List.of();

    HealthWatch(HealthProbe store, HealthLimits limits, KafkaGateway kafka, JsonCodec codec, Scheduler scheduler) {
        this.store = store;
        this.limits = limits;
        this.kafka = kafka;
        this.codec = codec;
        this.scheduler = scheduler;
    }

    /** One signal's reading: a value, or why it could not be read ({@code unknown} non-null). */
    record Reading(long value, String unknown) {

        static Reading of(long value) {
            return new Reading(value, null);
        }

        static Reading unknown(String why) {
            return new Reading(0, Objects.requireNonNull(why));
        }

        boolean known() {
            return unknown == null;
        }
    }

    String id() {
        return id;
    }

    /** Tells the next reading even if it did not change: a coordinator that takes over must hear the state. */
    void reset() {
        told = null;
        duty = 100;
        toldUnknown = List.of();
    }

    /** Runs until cancelled; a reading that fails to be told is logged and the next one tried. */
    Mono<Void> run() {
        return Flux.interval(limits.period(), scheduler)
                .onBackpressureDrop() // a slow reading skips ticks rather than piling them up
                .concatMap(tick -> Mono.fromCallable(this::read).subscribeOn(scheduler)
                        .flatMap(this::tell)
                        .onErrorResume(e -> {
                            log.warn("cannot tell the database's health: {}", e.getMessage());
                            return Mono.empty();
                        }))
                .then();
    }

    /**
     * One reading of every signal, in order; one that fails is unknown and does not keep the others from being
     * read. Package-private for the unit test.
     */
    List<Reading> read() {
        List<Reading> readings = new ArrayList<>();
        for (HealthSignal s : limits.signals()) {
            try {
                readings.add(Reading.of(s.read(store)));
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                readings.add(Reading.unknown(Excerpt.of(why, MAX_WHY)));
            }
        }
        return readings;
    }

    private Mono<Void> tell(List<Reading> readings) {
        Event.HealthChanged change = next(readings);
        List<String> unknown = change == null ? loggedUnknown : change.unknown();
        if (!unknown.equals(loggedUnknown)) {
            loggedUnknown = unknown;
            if (unknown.isEmpty()) {
                log.info("every health signal reads again");
            } else {
                log.warn("health signals that cannot be read ({}): {}", limits.whenUnknown(), String.join("; ", unknown));
            }
        }
        if (change == null) {
            return Mono.empty();
        }
        return kafka.publish(List.of(new Outbound(kafka.settings().topics().events(), "*", codec.encode(change))));
    }

    /** What to tell after this reading, or null. Package-private for the unit test. */
    Event.HealthChanged next(List<Reading> readings) {
        List<HealthSignal> signals = limits.signals();
        String hard = null;
        String over = null;
        boolean allUnderHalf = true;
        List<String> unknown = new ArrayList<>();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < readings.size(); i++) {
            HealthSignal s = signals.get(i);
            Reading r = readings.get(i);
            values.append(i == 0 ? "" : ", ").append(s.name()).append(' ');
            if (!r.known()) {
                values.append("unknown");
                unknown.add(s.name() + " unknown: " + r.unknown());
                continue;
            }
            long v = r.value();
            values.append(v);
            if (hard == null && v > s.hardLimit()) {
                hard = "paused: " + s.name() + " " + v + " > " + s.hardLimit() + " (twice its limit)";
            }
            if (over == null && v > s.limit()) {
                over = s.name() + " " + v + " > " + s.limit();
            }
            allUnderHalf &= v <= s.limit() / 2;
        }
        String unread = String.join("; ", unknown);
        boolean holding = !unknown.isEmpty() && limits.whenUnknown() == HealthLimits.WhenUnknown.HOLD;
        if (hard != null || (!unknown.isEmpty() && !holding)) {
            duty = MIN_DUTY;
            told = false;
            toldUnknown = unknown;
            String reason = hard == null ? "paused: " + unread : unknown.isEmpty() ? hard : hard + "; " + unread;
            return new Event.HealthChanged("*", id, false, reason, MIN_DUTY, unknown);
        }
        boolean paused = Boolean.FALSE.equals(told);
        if (paused && (holding || !allUnderHalf)) {
            // stays paused: under the hard limit but not yet under half of every limit, or a signal unknown
            if (holding && !unknown.equals(toldUnknown)) {
                toldUnknown = unknown;
                return new Event.HealthChanged("*", id, false, "paused, held: " + unread, MIN_DUTY, unknown);
            }
            return null;
        }
        if (over != null) {
            duty = Math.max(MIN_DUTY, duty / 2);
        } else if (allUnderHalf && !paused && !holding) {
            duty = Math.min(100, duty + STEP);
        }
        if (!paused && Boolean.TRUE.equals(told) && duty == toldDuty && unknown.equals(toldUnknown)) {
            return null;
        }
        told = true;
        toldDuty = duty;
        toldUnknown = unknown;
        String reason;
        if (holding) {
            reason = (over != null ? "throttled to " + duty + "%: " + over : "held at " + duty + "%") + "; " + unread;
        } else {
            reason = duty == 100 ? values + ": under half of each limit"
                    : "throttled to " + duty + "%: " + (over != null ? over : values + ", under half of each limit, speeding up");
        }
        return new Event.HealthChanged("*", id, true, reason, duty, unknown);
    }
}
