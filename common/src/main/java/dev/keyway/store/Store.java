package dev.keyway.store;

import dev.keyway.store.internal.JdbcStore;
import java.util.List;

/**
 * The user's database, as the workers and the coordinator use it. Thread-safe; close it to close
 * its connection pool.
 */
public interface Store extends AutoCloseable {

    /** Opens a pooled JDBC store; throws {@link StoreException} when the database cannot be reached. */
    static Store open(StoreOptions options) {
        return JdbcStore.open(options);
    }

    /** Creates the ledger table if it does not exist. */
    void ensureLedger();

    /** Starts a batch: a transaction on one connection of the pool. Close it (rolls back unless committed). */
    BatchTransaction begin(TableWalk walk);

    /** About how many rows the walk visits (exact for small tables). */
    long countRows(TableWalk walk);

    /**
     * Up to {@code segments - 1} cursors that split the walk into {@code segments} slices of about
     * equal size, in ascending order; fewer when the walk has fewer rows.
     */
    List<String> splitPoints(TableWalk walk, int segments);

    /** The connection pool's URL without credentials, for messages. */
    String describe();

    @Override
    void close();
}
