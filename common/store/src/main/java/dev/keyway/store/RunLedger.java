package dev.keyway.store;

import dev.keyway.message.BatchKey;
import java.util.List;
import java.util.Optional;

/**
 * The bookkeeping a run keeps in the user's database, outside any batch: the tables themselves, the database's id,
 * the coordinators' epochs, each migration's fence (written by the coordinator, checked by every batch) and the ledger
 * of applied batches (read back to count a slice). Thread-safe.
 */
public interface RunLedger {

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
    Optional<RunFence> readFence(String migration);

    /**
     * The ledger entries chained from {@code start}, in order: its batch, the one that started where it ended, and
     * so on, up to the one that ends at {@code until}, the segment's last one, or {@code max} entries; empty when
     * no batch starting at {@code start} was applied. Read outside any batch, to check a reported outcome
     * ({@link SliceProgress}).
     */
    List<LedgerEntry> followLedger(BatchKey start, String until, int max);

    /** The documents the migration's runs set aside, oldest first, at most {@code max}. */
    List<QuarantinedDocument> quarantined(String migration, int max);

    /**
     * The documents the migration's last verify found that {@code migrateOne} would still change
     * ({@code keyway_verify}), oldest first, at most {@code max}; a document's {@code error} is its would-be change.
     */
    List<QuarantinedDocument> verifyFindings(String migration, int max);

    /**
     * The rows the migration's undos left as they are because the application changed them since the run they took
     * back ({@code keyway_undo_conflicts}), oldest first, at most {@code max}: a document's {@code key} is the table and
     * the key, its {@code error} why, its {@code document} the before-image an undo with {@code --force} would restore.
     */
    List<QuarantinedDocument> undoConflicts(String migration, int max);

    /**
     * Deletes what the migration's verifies found ({@code keyway_verify}), before a new verify is planned: what an
     * earlier one found may be migrated or changed since. Returns how many rows it deleted.
     */
    int clearVerifyFindings(String migration);
}
