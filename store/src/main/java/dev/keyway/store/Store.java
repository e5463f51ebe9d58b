package dev.keyway.store;

import dev.keyway.store.internal.JdbcStore;

/**
 * The user's database, as the workers and the coordinator use it: every role at once ({@link BatchStore} for the
 * workers' batches, {@link RunLedger} for the fence and the ledger, {@link TablePlanner} for planning,
 * {@link HealthProbe} for the health watch) over one connection pool. Code that needs one role takes that role's
 * type. Thread-safe; close it to close its connection pool.
 */
public interface Store extends BatchStore, RunLedger, TablePlanner, HealthProbe, AutoCloseable {

    /** Opens a pooled JDBC store; throws {@link StoreException} when the database cannot be reached. */
    static Store open(StoreOptions options) {
        return JdbcStore.open(options);
    }

    /**
     * Opens a store, retrying for up to {@code patience} while the database is unreachable or busy
     * (starting up, or an H2 file another process is opening); then throws the last {@link StoreException}.
     */
    static Store open(StoreOptions options, java.time.Duration patience) {
        long deadline = System.currentTimeMillis() + patience.toMillis();
        long backoffMillis = 200;
        while (true) {
            try {
                return open(options);
            } catch (StoreException e) {
                if (!StoreException.isRetriable(e)) {
                    throw e;
                }
                if (System.currentTimeMillis() + backoffMillis > deadline) {
                    throw new RetriableStoreException("the database at " + options.redactedUrl()
                            + " did not become reachable within " + patience.toSeconds()
                            + " s: start it (PostgreSQL: pg_ctlcluster 15 main start) or set JDBC_URL", e);
                }
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableStoreException("interrupted while waiting for the database at "
                        + options.redactedUrl(), e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 2_000);
        }
    }

    /** The connection pool's URL without credentials, for messages. */
    String describe();

    @Override
    void close();
}
