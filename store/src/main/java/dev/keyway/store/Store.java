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

    /**
     * Creates the bookkeeping tables (the ledger, the fence, and {@code keyway_database}, which names this database
     * with an id made once) if they do not exist.
     */
    void ensureBookkeeping();

    /**
     * This database's identity: a random id made once, by the first Keyway process that set up its bookkeeping, and
     * kept in the database itself ({@code keyway_database}), so that the same database reached by another host
     * name has the same id and a copy made of it keeps it. Call {@link #ensureBookkeeping()} first.
     */
    String databaseId();

    /**
     * Writes a migration's fence (see {@link RunFence}), replacing any earlier run's: waits for the
     * batches in flight on its segments (up to the lock timeout), so that once this returns no batch
     * of another run, and none of a closed one, can be applied. Segments of the same run keep a
     * position that batches have already moved past.
     *
     * @return the fence as written: a segment's position is where this run's batches left it, which may be past
     *     the one asked for (batches whose outcomes the coordinator has not heard of yet)
     */
    RunFence writeFence(RunFence fence);

    /**
     * As {@link #writeFence(RunFence)}, only while {@code epoch} is still its group's (checked in the same
     * transaction); else throws {@link CoordinatorFencedException} and writes nothing.
     */
    RunFence writeFence(RunFence fence, CoordinatorEpoch epoch);

    /**
     * Takes the next epoch of a coordinator group (the first is 1): from now on, fences written with an earlier epoch
     * of the group are refused. Called by a coordinator when it is assigned the group's input partitions.
     */
    CoordinatorEpoch takeOver(String group);

    /**
     * The migration's fence as the database holds it (see {@link RunFence}): the run it fences, and each segment's
     * position, end and whether it is done; empty when it has no segment (never fenced, or a run being planned). The
     * coordinator reads it back before it plans a run, so that a run whose plan is fenced is never planned again.
     */
    java.util.Optional<RunFence> readFence(String migration);

    /**
     * The ledger entries chained from {@code start}, in order: its batch, the one that started where it ended, and
     * so on, up to the one that ends at {@code until}, the segment's last one, or {@code max} entries; empty when
     * no batch starting at {@code start} was applied. Read outside any batch, to check a reported outcome
     * ({@link SliceProgress}).
     */
    List<LedgerEntry> followLedger(dev.keyway.message.BatchKey start, String until, int max);

    /** Starts a batch: a transaction on one connection of the pool. Close it (rolls back unless committed). */
    BatchTransaction begin(TableWalk walk);

    /**
     * Reads the walk's table afresh from the database's catalogs (not from what was read a while ago) and checks
     * that it can be walked: it exists, it is a table or a partitioned one, it has a primary key, a custom range's
     * column is one of its columns, and each of {@code cursors} (where a resumed run's segments stand and end, or
     * the cursor a run is given) is a tuple of the walk's order columns, as they are now.
     *
     * @throws StoreException naming what is wrong (not retriable), or that the database cannot be reached (retriable)
     */
    void checkWalk(TableWalk walk, List<String> cursors);

    /**
     * The columns the walk is ordered by, which its cursors hold: the primary key's, in key order, or a custom range's
     * column first and then the key's others.
     *
     * @throws StoreException when the table cannot be walked (naming why), or the database cannot be reached
     */
    List<String> keyColumns(TableWalk walk);

    /** About how many rows the walk visits (exact for small tables). */
    long countRows(TableWalk walk);

    /**
     * Up to {@code segments - 1} cursors that split the walk's {@code rows} rows (as counted by
     * {@link #countRows}) into {@code segments} slices of about equal size, in ascending order; fewer
     * when the walk has fewer rows.
     */
    List<String> splitPoints(TableWalk walk, long rows, int segments);

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

    /** The {@code application_name} of Keyway's sessions on PostgreSQL. */
    String APPLICATION_NAME = "keyway";

    /**
     * The number an operator's query returns (first column of its first row; 0 when it returns no row); a
     * {@link StoreException} when the query fails or returns NULL.
     */
    long readNumber(String sql);

    /** The connection pool's URL without credentials, for messages. */
    String describe();

    @Override
    void close();
}
