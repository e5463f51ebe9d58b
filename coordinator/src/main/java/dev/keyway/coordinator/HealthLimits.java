package dev.keyway.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the coordinator keeps migrations as fast as the database allows and no faster: the health signals it
 * watches (past a signal's limit migrations slow down, past its hard limit they pause, back under half of it
 * they resume and speed up step by step), how often it reads them, what a signal that cannot be read counts as,
 * and what a batch of a run that gives no batch size aims at. A coordinator configured from the environment is gentle
 * by default ({@link #fromEnv}: an application latency target of {@value #DEFAULT_APPLICATION_LATENCY_TARGET_MS} ms
 * and the standbys' lag watched); full speed is an explicit choice ({@code KEYWAY_FULL_SPEED=true}).
 *
 * @param signals what is watched; empty = nothing
 * @param period how often the signals are read; default {@value #DEFAULT_PERIOD_MS} ms
 * @param latencies the batch times the coordinator counts, for {@link HealthSignal#batchLatency}
 * @param targetBatchMillis how long a batch of a run without a batch size should take (its workers size its
 *     batches, up to ten times the migration's batch size); 0 = such runs have batches of the migration's size
 * @param whenUnknown what a signal that cannot be read (an error, or a database role that may not see it) does;
 *     default {@link WhenUnknown#PAUSE}
 * @param maxConcurrency the most segments of a run that gives no concurrency limit of its own with a task out at
 *     once; 0 = all
 */
public record HealthLimits(List<HealthSignal> signals, Duration period, BatchLatencies latencies,
                           int targetBatchMillis, WhenUnknown whenUnknown, int maxConcurrency) {

    public static final long DEFAULT_PERIOD_MS = 1_000;
    /** What a batch of a run without a batch size aims at unless configured. */
    public static final int DEFAULT_TARGET_BATCH_MILLIS = 200;
    /**
     * The application latency target of a coordinator given none and not asked for full speed: batches aim at half
     * of it, and the application's lock waits on Keyway and Keyway's median batch time are watched at half of it and
     * all of it. Measured (docs/BENCHMARKS.md, 2 shared cores): with it and {@link #DEFAULT_MAX_CONCURRENCY}, the
     * median latency of an application on the same table rose 2-3x instead of 6-10x, at 0.75-0.95x of full speed.
     */
    public static final long DEFAULT_APPLICATION_LATENCY_TARGET_MS = 20;
    /**
     * The most segments of a run (that gives no limit of its own) with a task out at once, unless full speed is asked
     * for: fewer database sessions at once is what an application on the same table feels least (docs/BENCHMARKS.md).
     */
    public static final int DEFAULT_MAX_CONCURRENCY = 2;
    /** The standbys' replication lag watched unless full speed is asked for: 64 MiB of WAL not yet replayed. */
    public static final long DEFAULT_MAX_REPLICA_LAG_BYTES = 64L << 20;

    /**
     * What a signal that cannot be read counts as ({@code HEALTH_UNKNOWN}). Never as 0: a brake that cannot see
     * must not read as a healthy database.
     */
    public enum WhenUnknown {
        /** Like a signal past its hard limit: running migrations pause until every signal reads again (default). */
        PAUSE,
        /**
         * The last state holds: no faster, and a paused migration stays paused; the signals that do read can still
         * slow migrations down or pause them. A coordinator that never read a signal holds full speed.
         */
        HOLD
    }

    public HealthLimits {
        signals = List.copyOf(signals);
        if (whenUnknown == null) {
            throw new IllegalArgumentException("whenUnknown must be PAUSE or HOLD, but was null");
        }
        if (period.toMillis() < 100) {
            throw new IllegalArgumentException("the health period must be at least 100 ms, but was " + period);
        }
        if (targetBatchMillis < 0 || targetBatchMillis > dev.keyway.message.Lease.MAX_TARGET_MILLIS) {
            throw new IllegalArgumentException("TARGET_BATCH_MILLIS must be between 0 and "
                    + dev.keyway.message.Lease.MAX_TARGET_MILLIS + ", but was " + targetBatchMillis);
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("MAX_CONCURRENCY must be 0 or more, but was " + maxConcurrency);
        }
    }

    /** No signal watched; runs without a batch size aim at {@value #DEFAULT_TARGET_BATCH_MILLIS} ms a batch. */
    public static HealthLimits none() {
        return new HealthLimits(List.of(), Duration.ofMillis(DEFAULT_PERIOD_MS), new BatchLatencies(),
                DEFAULT_TARGET_BATCH_MILLIS, WhenUnknown.PAUSE, 0);
    }

    /**
     * From the environment, gentle by default:
     * <ul>
     *   <li>{@code KEYWAY_FULL_SPEED}: {@code true} for full speed: no signal is watched unless set below, and runs
     *       without a batch size aim at {@value #DEFAULT_TARGET_BATCH_MILLIS} ms a batch (default false);</li>
     *   <li>{@code APPLICATION_LATENCY_TARGET_MS}: the one knob for an application sharing the tables: batches aim
     *       at half of it, and the two signals below are watched with limits of half of it and all of it (default
     *       {@value #DEFAULT_APPLICATION_LATENCY_TARGET_MS}, 0 at full speed; 0 = not watched);</li>
     *   <li>{@code MAX_LOCK_WAIT_MS}: the longest the application may wait for a lock a batch holds;</li>
     *   <li>{@code MAX_BATCH_LATENCY_MS}: the median batch time past which the database counts as strained;</li>
     *   <li>{@code MAX_REPLICA_LAG_BYTES}: the standbys' replication lag (default 64 MiB, 0 at full speed; no standby
     *       reads as 0);</li>
     *   <li>{@code THROTTLE_QUERY} with {@code THROTTLE_QUERY_MAX}: a query of the operator's returning one number;</li>
     *   <li>{@code TARGET_BATCH_MILLIS}: what a batch of a run without a batch size aims at (0 = the size);</li>
     *   <li>{@code MAX_CONCURRENCY}: the most segments of a run without a concurrency limit of its own with a task
     *       out at once (default {@value #DEFAULT_MAX_CONCURRENCY}, 0 = all, the default at full speed);</li>
     *   <li>{@code HEALTH_UNKNOWN}: {@code pause} (default) or {@code hold}, what a signal that cannot be read
     *       does ({@link WhenUnknown}).</li>
     * </ul>
     */
    public static HealthLimits fromEnv(Map<String, String> env) {
        HealthLimits limits = none();
        boolean fullSpeed = fullSpeed(env);
        long app = env.containsKey("APPLICATION_LATENCY_TARGET_MS") ? number(env, "APPLICATION_LATENCY_TARGET_MS")
                : fullSpeed ? 0 : DEFAULT_APPLICATION_LATENCY_TARGET_MS;
        long lockWait = env.containsKey("MAX_LOCK_WAIT_MS") ? number(env, "MAX_LOCK_WAIT_MS") : app / 2;
        long batchLatency = env.containsKey("MAX_BATCH_LATENCY_MS") ? number(env, "MAX_BATCH_LATENCY_MS") : app;
        if (lockWait > 0) {
            limits = limits.with(HealthSignal.lockWait(lockWait));
        }
        if (batchLatency > 0) {
            limits = limits.with(HealthSignal.batchLatency(limits.latencies(), batchLatency));
        }
        long lag = env.containsKey("MAX_REPLICA_LAG_BYTES") ? number(env, "MAX_REPLICA_LAG_BYTES")
                : fullSpeed ? 0 : DEFAULT_MAX_REPLICA_LAG_BYTES;
        if (lag > 0) {
            limits = limits.with(HealthSignal.replicaLag(lag));
        }
        String query = env.get("THROTTLE_QUERY");
        if (query != null && !query.isBlank()) {
            if (!env.containsKey("THROTTLE_QUERY_MAX")) {
                throw new IllegalArgumentException("THROTTLE_QUERY needs THROTTLE_QUERY_MAX, the value past which"
                        + " migrations slow down (they pause past twice it)");
            }
            limits = limits.with(HealthSignal.query(query, number(env, "THROTTLE_QUERY_MAX")));
        }
        long target = env.containsKey("TARGET_BATCH_MILLIS") ? number(env, "TARGET_BATCH_MILLIS")
                : app > 0 ? Math.max(1, app / 2) : DEFAULT_TARGET_BATCH_MILLIS;
        long concurrency = env.containsKey("MAX_CONCURRENCY") ? number(env, "MAX_CONCURRENCY")
                : fullSpeed ? 0 : DEFAULT_MAX_CONCURRENCY;
        return limits.withTargetBatchMillis((int) Math.min(Integer.MAX_VALUE, target))
                .withWhenUnknown(whenUnknown(env.get("HEALTH_UNKNOWN")))
                .withMaxConcurrency((int) Math.min(dev.keyway.migration.Migration.MAX_SEGMENTS, concurrency));
    }

    /** Whether {@code KEYWAY_FULL_SPEED} asks for full speed: true or false (unset = false). */
    static boolean fullSpeed(Map<String, String> env) {
        String v = env.get("KEYWAY_FULL_SPEED");
        if (v == null || v.isBlank()) {
            return false;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("KEYWAY_FULL_SPEED must be true or false, but was '" + v + "'");
        };
    }

    private static WhenUnknown whenUnknown(String v) {
        if (v == null || v.isBlank()) {
            return WhenUnknown.PAUSE;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "pause" -> WhenUnknown.PAUSE;
            case "hold" -> WhenUnknown.HOLD;
            default -> throw new IllegalArgumentException("HEALTH_UNKNOWN must be pause or hold, but was '" + v + "'");
        };
    }

    private static long number(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            long n = v == null || v.isBlank() ? 0 : Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of 0 or more, but was '" + v + "'");
        }
    }

    /** These limits and one more signal. */
    public HealthLimits with(HealthSignal signal) {
        List<HealthSignal> more = new ArrayList<>(signals);
        more.add(signal);
        return new HealthLimits(more, period, latencies, targetBatchMillis, whenUnknown, maxConcurrency);
    }

    public HealthLimits withPeriod(Duration p) {
        return new HealthLimits(signals, p, latencies, targetBatchMillis, whenUnknown, maxConcurrency);
    }

    public HealthLimits withTargetBatchMillis(int millis) {
        return new HealthLimits(signals, period, latencies, millis, whenUnknown, maxConcurrency);
    }

    public HealthLimits withWhenUnknown(WhenUnknown w) {
        return new HealthLimits(signals, period, latencies, targetBatchMillis, w, maxConcurrency);
    }

    public HealthLimits withMaxConcurrency(int segments) {
        return new HealthLimits(signals, period, latencies, targetBatchMillis, whenUnknown, segments);
    }

    public boolean watched() {
        return !signals.isEmpty();
    }
}
