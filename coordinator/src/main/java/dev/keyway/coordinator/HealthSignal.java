package dev.keyway.coordinator;

import dev.keyway.store.HealthProbe;
import java.util.function.ToLongFunction;

/**
 * One measure of the database's health that the coordinator reads once a period: past its {@link #limit()}
 * running migrations slow down (their share of working time halves every period it stays there), past its
 * {@link #hardLimit()} they pause themselves; back under half of the limit they resume and speed up again step
 * by step. Implementations must be cheap: one small query for the whole cluster, or a figure the coordinator
 * has already.
 */
public interface HealthSignal {

    /** What is measured, with its unit, for the status: e.g. "replica lag (bytes)". */
    String name();

    /** The value past which migrations slow down. */
    long limit();

    /** The value past which migrations pause; twice the limit unless a signal says otherwise. */
    default long hardLimit() {
        return limit() * 2;
    }

    /**
     * The current value; throws (a {@code StoreException} saying why and what to grant or fix) when it cannot be
     * read, never 0 for "cannot see": the watch counts the signal as unknown ({@link HealthLimits.WhenUnknown})
     * and still reads the others.
     */
    long read(HealthProbe store);

    /** A signal read by {@code reading}, past which migrations slow down at {@code limit}. */
    static HealthSignal of(String name, long limit, ToLongFunction<HealthProbe> reading) {
        record Named(String name, long limit, ToLongFunction<HealthProbe> reading) implements HealthSignal {
            @Override
            public long read(HealthProbe store) {
                return reading.applyAsLong(store);
            }
        }
        return new Named(name, limit, reading);
    }

    /** The standbys' replication lag in bytes of WAL not yet replayed ({@link HealthProbe#replicaLagBytes()}). */
    static HealthSignal replicaLag(long maxBytes) {
        return of("replica lag (bytes)", maxBytes, HealthProbe::replicaLagBytes);
    }

    /**
     * How long the application waits on Keyway: the longest current wait, in milliseconds, of a session that is
     * not Keyway's for a lock one of Keyway's sessions holds ({@link HealthProbe#lockWaitMillis()}).
     */
    static HealthSignal lockWait(long maxMillis) {
        return of("application lock wait on Keyway (ms)", maxMillis, HealthProbe::lockWaitMillis);
    }

    /**
     * Keyway's own batch latency: the median time of the batches whose outcomes the coordinator counted since
     * the last reading (0 when none), against what a batch should take.
     */
    static HealthSignal batchLatency(BatchLatencies latencies, long maxMillis) {
        return of("batch latency (ms)", maxMillis, store -> latencies.takeMedian());
    }

    /** A number the operator's own query returns (like gh-ost's throttle query): load, queue depth, a flag. */
    static HealthSignal query(String sql, long max) {
        return of("throttle query", max, store -> store.readNumber(sql));
    }
}
