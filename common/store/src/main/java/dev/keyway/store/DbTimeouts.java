package dev.keyway.store;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How long a Keyway transaction may wait or hold the application's rows. Applied to every session of
 * the pool (PostgreSQL: {@code lock_timeout}, {@code statement_timeout},
 * {@code idle_in_transaction_session_timeout}; H2: {@code LOCK_TIMEOUT}, {@code QUERY_TIMEOUT}).
 *
 * @param lock how long a statement waits for a row or table lock the application holds before the
 *     batch rolls back and runs again later (the application wins); default {@value #DEFAULT_LOCK_MS} ms
 * @param statement the longest any one statement may run; default {@value #DEFAULT_STATEMENT_MS} ms
 * @param idleInTransaction how long a session may sit in an open transaction without a statement before
 *     the database ends it, releasing its locks (a hung or paused worker); PostgreSQL only; default
 *     {@value #DEFAULT_IDLE_MS} ms. Keep it above the workers' batch deadline
 */
public record DbTimeouts(Duration lock, Duration statement, Duration idleInTransaction) {

    public static final long DEFAULT_LOCK_MS = 2_000;
    public static final long DEFAULT_STATEMENT_MS = 60_000;
    public static final long DEFAULT_IDLE_MS = 120_000;

    public DbTimeouts {
        positive("lock", lock);
        positive("statement", statement);
        positive("idleInTransaction", idleInTransaction);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name + " must not be null");
        if (d.toMillis() < 1 || d.toHours() > 24) {
            throw new IllegalArgumentException(name + " timeout must be between 1 ms and 24 h, but was " + d);
        }
    }

    public static DbTimeouts defaults() {
        return new DbTimeouts(Duration.ofMillis(DEFAULT_LOCK_MS), Duration.ofMillis(DEFAULT_STATEMENT_MS),
                Duration.ofMillis(DEFAULT_IDLE_MS));
    }

    /** From {@code DB_LOCK_TIMEOUT_MS}, {@code DB_STATEMENT_TIMEOUT_MS}, {@code DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}. */
    public static DbTimeouts fromEnv(Map<String, String> env) {
        DbTimeouts d = defaults();
        return new DbTimeouts(millis(env, "DB_LOCK_TIMEOUT_MS", d.lock()), millis(env, "DB_STATEMENT_TIMEOUT_MS", d.statement()),
                millis(env, "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", d.idleInTransaction()));
    }

    public DbTimeouts withLock(Duration d) {
        return new DbTimeouts(d, statement, idleInTransaction);
    }

    public DbTimeouts withStatement(Duration d) {
        return new DbTimeouts(lock, d, idleInTransaction);
    }

    public DbTimeouts withIdleInTransaction(Duration d) {
        return new DbTimeouts(lock, statement, d);
    }

    static Duration millis(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Duration.ofMillis(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of milliseconds, but was '" + v + "'");
        }
    }
}
