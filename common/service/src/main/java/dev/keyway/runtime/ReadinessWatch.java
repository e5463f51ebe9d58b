package dev.keyway.runtime;

import dev.keyway.kafka.KafkaGateway;
import dev.keyway.metrics.Readiness;
import dev.keyway.store.HealthProbe;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A service's readiness ({@code /ready}): it checks what the service needs (Kafka answers, the database answers) in
 * the background, each on its own schedule, and {@link #problem()} reads what the checks found last, at once. A
 * service is ready when every check succeeded within {@link #STALE} and the latest attempt of each succeeded: a check
 * that hangs (a database that stopped answering) turns it not ready after {@link #STALE}, as one that fails does at
 * once. Thread-safe.
 */
public final class ReadinessWatch implements Readiness {

    /** How often each check runs. */
    public static final Duration PERIOD = Duration.ofSeconds(5);
    /** How long the latest success of a check counts. */
    public static final Duration STALE = Duration.ofSeconds(15);
    /** How long a check may wait for its answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** One thing the service needs: {@code probe} returns when it answers and throws, saying why, when not. */
    public record Check(String name, Runnable probe) {
    }

    /** What the latest attempt of a check found: when it last succeeded (-1: never), and the latest error. */
    private record Found(long okAt, String error) {
    }

    private final Clock clock;
    private final List<Check> checks;
    private final Map<String, Found> found = new ConcurrentHashMap<>();

    public ReadinessWatch(Clock clock, List<Check> checks) {
        this.clock = clock;
        this.checks = List.copyOf(checks);
        this.checks.forEach(c -> found.put(c.name(), new Found(-1, null)));
    }

    /** Kafka (a broker answers) and the database ({@code SELECT 1}), as a coordinator and a worker need them. */
    public static ReadinessWatch of(KafkaGateway kafka, HealthProbe database, Clock clock) {
        return new ReadinessWatch(clock, List.of(
                new Check("Kafka", () -> kafka.checkReachable(TIMEOUT)),
                new Check("the database", () -> database.readNumber("SELECT 1"))));
    }

    /** Runs every check every {@link #PERIOD} on {@code scheduler}, from now on, until disposed. */
    public Disposable start(Scheduler scheduler) {
        Disposable.Composite all = Disposables.composite();
        for (Check c : checks) {
            all.add(Flux.interval(Duration.ZERO, PERIOD, scheduler).onBackpressureDrop().subscribe(tick -> run(c)));
        }
        return all;
    }

    /** Runs every check once, here (for tests, and before the first scheduled round). */
    public void checkNow() {
        checks.forEach(this::run);
    }

    private void run(Check c) {
        try {
            c.probe().run();
            found.put(c.name(), new Found(clock.millis(), null));
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            found.compute(c.name(), (n, was) -> new Found(was == null ? -1 : was.okAt(), why));
        }
    }

    @Override
    public Optional<String> problem() {
        long now = clock.millis();
        for (Check c : checks) {
            Found f = found.get(c.name());
            if (f.error() != null) {
                return Optional.of(c.name() + " does not answer: " + f.error());
            }
            if (f.okAt() < 0) {
                return Optional.of(c.name() + " was not checked yet");
            }
            if (now - f.okAt() > STALE.toMillis()) {
                return Optional.of(c.name() + " has not answered for " + (now - f.okAt()) / 1000 + " s");
            }
        }
        return Optional.empty();
    }
}
