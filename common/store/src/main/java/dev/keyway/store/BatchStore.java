package dev.keyway.store;

/**
 * The store as the workers' batch path uses it ({@code BatchProcessor}): one database transaction per batch, in which
 * the batch locks its fence row, checks the ledger, reads and patches its page, and records itself. Thread-safe.
 */
public interface BatchStore {

    /** Starts a batch: a transaction on one connection of the pool. Close it (rolls back unless committed). */
    BatchTransaction begin(TableWalk walk);
}
