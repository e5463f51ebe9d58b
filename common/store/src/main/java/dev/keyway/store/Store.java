package dev.keyway.store;

import dev.keyway.store.internal.JdbcStore;

/**
 * The user's database, as the workers and the coordinator use it: every role at once ({@link BatchStore} for the
 * workers' batches, {@link RunLedger} for the fence and the ledger, {@link RunImages} for the runs' before-images,
 * {@link TablePlanner} for planning, {@link HealthProbe} for the health watch) over one connection pool. Code that
 * needs one role takes that role's type. Thread-safe; close it to close its connection pool.
 */
public interface Store extends BatchStore, RunLedger, RunImages, TablePlanner, HealthProbe, AutoCloseable {

    /** Opens a pooled JDBC store; throws {@link StoreException} when the database cannot be reached. */
    static Store open(StoreOptions options) {
        return JdbcStore.open(options);
    }

    /** The connection pool's URL without credentials, for messages. */
    String describe();

    @Override
    void close();
}
