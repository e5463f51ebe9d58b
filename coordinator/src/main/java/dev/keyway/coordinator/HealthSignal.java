package dev.keyway.coordinator;

import dev.keyway.store.Store;

/**
 * One measure of the database's health that the coordinator reads once a period: past its {@link #limit()}
 * running migrations pause themselves, and back under half of it they resume. Implementations must be cheap:
 * one small query for the whole cluster.
 */
public interface HealthSignal {

    /** What is measured, with its unit, for the status: e.g. "replica lag (bytes)". */
    String name();

    /** The value past which migrations pause. */
    long limit();

    /** The current value; a {@code StoreException} when it cannot be read (the reading is skipped). */
    long read(Store store);

    /** The standbys' replication lag in bytes of WAL not yet replayed ({@link Store#replicaLagBytes()}). */
    static HealthSignal replicaLag(long maxBytes) {
        return new HealthSignal() {
            @Override
            public String name() {
                return "replica lag (bytes)";
            }

            @Override
            public long limit() {
                return maxBytes;
            }

            @Override
            public long read(Store store) {
                return store.replicaLagBytes();
            }
        };
    }

    /** A number the operator's own query returns (like gh-ost's throttle query): load, queue depth, a flag. */
    static HealthSignal query(String sql, long max) {
        return new HealthSignal() {
            @Override
            public String name() {
                return "throttle query";
            }

            @Override
            public long limit() {
                return max;
            }

            @Override
            public long read(Store store) {
                return store.readNumber(sql);
            }
        };
    }
}
