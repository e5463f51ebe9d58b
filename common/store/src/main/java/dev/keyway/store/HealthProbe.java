package dev.keyway.store;

/**
 * The readings behind the coordinator's health signals: one small query each for the whole cluster. A reading that
 * cannot be had throws a {@link StoreException} saying why, never 0. Thread-safe.
 */
public interface HealthProbe {

    /** The {@code application_name} of Keyway's sessions on PostgreSQL. */
    String APPLICATION_NAME = "keyway";

    /**
     * How far the database's standbys are behind, in bytes of WAL not yet replayed (the largest over all
     * standbys; PostgreSQL's {@code pg_stat_replication}); 0 without standbys and on H2. A {@link StoreException}
     * when it cannot be read, which includes a role without {@code pg_read_all_stats} ({@code pg_monitor}): to
     * such a role PostgreSQL shows the standbys' LSNs as NULL, which is not a lag of 0.
     */
    long replicaLagBytes();

    /**
     * How long the application waits on Keyway: the longest current wait, in milliseconds, of a session that is
     * not Keyway's for a lock one of Keyway's sessions holds (PostgreSQL's {@code pg_blocking_pids}; Keyway's
     * sessions are those named {@value #APPLICATION_NAME}); 0 when none waits, and on H2. A {@link StoreException}
     * when it cannot be read, which includes a session of another role waiting while this role lacks
     * {@code pg_read_all_stats} ({@code pg_monitor}): PostgreSQL hides how long such a session has waited.
     */
    long lockWaitMillis();

    /**
     * The number an operator's query returns (first column of its first row; 0 when it returns no row); a
     * {@link StoreException} when the query fails or returns NULL.
     */
    long readNumber(String sql);
}
