package dev.keyway.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The database health signals the coordinator watches, each with the limit past which migrations pause
 * themselves (they resume on their own when every signal is back under half its limit), and how often they
 * are read. None by default.
 *
 * @param signals what is watched; empty = nothing
 * @param period how often the signals are read; default {@value #DEFAULT_PERIOD_MS} ms
 */
public record HealthLimits(List<HealthSignal> signals, Duration period) {

    public static final long DEFAULT_PERIOD_MS = 1_000;

    public HealthLimits {
        signals = List.copyOf(signals);
        if (period.toMillis() < 100) {
            throw new IllegalArgumentException("the health period must be at least 100 ms, but was " + period);
        }
    }

    /** No signal watched. */
    public static HealthLimits none() {
        return new HealthLimits(List.of(), Duration.ofMillis(DEFAULT_PERIOD_MS));
    }

    /**
     * From {@code MAX_REPLICA_LAG_BYTES} (the standbys' replication lag), and {@code THROTTLE_QUERY} with
     * {@code THROTTLE_QUERY_MAX} (a query of the operator's returning one number); unset = not watched.
     */
    public static HealthLimits fromEnv(Map<String, String> env) {
        HealthLimits limits = none();
        long lag = number(env, "MAX_REPLICA_LAG_BYTES");
        if (lag > 0) {
            limits = limits.with(HealthSignal.replicaLag(lag));
        }
        String query = env.get("THROTTLE_QUERY");
        if (query != null && !query.isBlank()) {
            if (!env.containsKey("THROTTLE_QUERY_MAX")) {
                throw new IllegalArgumentException("THROTTLE_QUERY needs THROTTLE_QUERY_MAX, the value past which"
                        + " migrations pause");
            }
            limits = limits.with(HealthSignal.query(query, number(env, "THROTTLE_QUERY_MAX")));
        }
        return limits;
    }

    private static long number(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            return v == null || v.isBlank() ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, but was '" + v + "'");
        }
    }

    /** These limits and one more signal. */
    public HealthLimits with(HealthSignal signal) {
        List<HealthSignal> more = new ArrayList<>(signals);
        more.add(signal);
        return new HealthLimits(more, period);
    }

    public HealthLimits withPeriod(Duration p) {
        return new HealthLimits(signals, p);
    }

    public boolean watched() {
        return !signals.isEmpty();
    }
}
