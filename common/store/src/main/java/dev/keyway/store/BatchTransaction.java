package dev.keyway.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.migration.Db;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One batch's database transaction. Not thread-safe except {@link #db()}, whose calls are
 * serialized. Closing without {@link #commit()} rolls back.
 */
public interface BatchTransaction extends AutoCloseable {

    /**
     * The walk's table's primary key columns, in key order. A document's id is the value of its one key column, or
     * for a composite key the JSON array of its key columns' values in this order ({@code [3,17]}); ids given to
     * {@link #readByIds} and {@link #patchAll} take that form.
     */
    List<String> primaryKey();

    /**
     * Locks the fence row of a migration's segment until the transaction ends and returns it; empty
     * when the coordinator never wrote one, or replaced it with another run's. Call it first: a
     * coordinator changing the fence (cancel, new run) waits for the batches holding it, and a batch
     * that waited sees the change.
     */
    Optional<SegmentFence> lockFence(String migration, int segment);

    /**
     * How a batch starts: {@link #lockFence} of its segment, then {@link #findLedger} of its key (a database that can
     * send both at once does).
     */
    default BatchStart lockFenceAndFindLedger(BatchKey key) {
        Optional<SegmentFence> fence = lockFence(key.migration(), key.segment());
        return new BatchStart(fence, findLedger(key));
    }

    /** The segment's fence row as a batch locked it, and the ledger's entry of the batch if it was applied already. */
    record BatchStart(Optional<SegmentFence> fence, Optional<LedgerEntry> applied) {
    }

    /** Moves the segment's fence to where its next batch starts ({@code done}: the segment is complete). */
    void advanceFence(String migration, int segment, String position, boolean done);

    /** The ledger entry of an already applied batch with this key, if any. */
    Optional<LedgerEntry> findLedger(BatchKey key);

    /**
     * Selects up to {@code limit} rows of the walk after {@code cursor} (exclusive, null = start) and up to
     * {@code end} (inclusive, null = no end) in key order, then reads and locks ({@code FOR UPDATE}) the rows
     * that are between {@code cursor} and the last selected key once their locks are granted. A row the
     * application moved meanwhile is in the page if it is still in that span, and else left to the part
     * of the walk it moved to. The next batch starts at {@link Page#nextCursor()}: a cursor taken from the
     * documents' current values (or from what {@code migrateOne} made of them) could jump over rows.
     */
    Page readPage(String cursor, String end, int limit);

    /**
     * Reads up to {@code limit} rows of the walk after {@code cursor} (exclusive, null = start) and up to {@code end}
     * (inclusive, null = no end) in key order, in one plain {@code SELECT} that locks nothing (a verify: the
     * application never waits on it, and it writes none of them). The next cursor is the last row's.
     */
    Page readPageWithoutLocks(String cursor, String end, int limit);

    /**
     * Takes the next documents of the migration out of quarantine ({@code keyway_quarantine}): up to {@code limit}
     * keys after {@code cursor} (exclusive, null = the first) in the order of their JSON text, their rows read and
     * locked ({@code FOR UPDATE}), and their quarantine rows deleted in this transaction. The page's next cursor is
     * the last key taken; a key whose row is gone leaves quarantine without a document.
     */
    Page takeQuarantined(String migration, String cursor, int limit);

    /**
     * Reads documents of the walk's table by id (for a dry run's "after"), keyed by the id's text (a value's text, a
     * composite id's JSON array); missing ids are absent.
     */
    Map<String, ObjectNode> readByIds(List<JsonNode> ids);

    /** Database access in this transaction, for {@code migrateOne}. */
    Db db();

    /**
     * Applies patches to rows of the walk's table by id, as JDBC batches. A patch may repeat a key column's value but
     * not change it, and may not set a column the database generates ({@code GENERATED ALWAYS}): either throws a
     * {@link StoreException} naming the document and the column, and nothing of the batch should be committed.
     */
    void patchAll(Map<JsonNode, ObjectNode> patches);

    /**
     * Marks the transaction's state (a {@code SAVEPOINT}; one at a time, a new one replaces it): a batch that
     * quarantines documents takes it after reading its page, and goes back to it when a document fails.
     */
    void savepoint();

    /**
     * Undoes everything since {@link #savepoint()} (patches and {@code ctx.db()} writes; the page's row locks, taken
     * before it, stay), and leaves the savepoint in place. Also the way out of a statement the database refused.
     */
    void rollbackToSavepoint();

    /**
     * Keeps before-images of the rows this batch changes, for an undo ({@code keyway_images}, docs/CONTRACTS.md): off
     * until called, so a batch without it writes and reads nothing more. Call it once, after {@link #findLedger} said
     * the batch is not applied yet and before {@link #readPage} (or {@link #takeQuarantined}), whose locked rows are
     * then the before-images of the patched ones without a second read (called later, {@link #patchAll} reads its
     * rows again, locked). From then on every row changed by {@link #patchAll} or through {@link #db()} (insert,
     * patch, replace, delete, on any table) gets one image per table and key for the run: its state before the
     * batch's first change (none for an inserted row) and the hash of its state after the last (none for a deleted
     * one); a row the run changed in an earlier batch keeps the image it has, with the new after-hash. The images are
     * written when the batch commits, in its transaction: a batch rolled back writes none, and a replayed one (a ledger
     * hit) none again. {@link #rollbackToSavepoint} forgets those captured since the savepoint.
     *
     * @param key the batch: its migration, run and segment are the images'
     */
    void keepImages(BatchKey key);

    /**
     * A page of a run's before-images ({@link RunImages}) in the order of their ids: after {@code cursor} (exclusive,
     * null = from the first) up to {@code end} (inclusive, null = to the last), at most {@code limit}; for an undo
     * batch, which then {@link #restore}s each in this transaction.
     */
    ImagePage readImages(String migration, String runId, String cursor, String end, int limit);

    /**
     * Restores one row to its before-image, in this transaction: reads and locks ({@code FOR UPDATE}) the row as it
     * is now and hashes it as a batch hashed it. A row already as it was before the run (restored before, or changed
     * back) is not written: {@link RestoreOutcome#RESTORED}, so restoring twice is restoring once. When the hash is not
     * the image's after-hash (a row not there and a null hash count as equal), the application changed the row since
     * the run: {@link RestoreOutcome#CONFLICT}, and the row is left as it is unless {@code force}
     * ({@link RestoreOutcome#FORCED}). Else the row is made as it was: updated to the before-image (every column the
     * database does not generate; a column absent from it becomes NULL), deleted when the run inserted it, inserted
     * again, with its own key, when the run deleted it.
     */
    RestoreOutcome restore(RowImage image, boolean force);

    /**
     * Records rows an undo left as they are (a {@link RestoreOutcome#CONFLICT}), in this transaction
     * ({@code keyway_undo_conflicts}), as {@link RunLedger#undoConflicts} lists them.
     */
    void recordUndoConflicts(List<QuarantinedDocument> conflicts);

    /** Records documents set aside, in this transaction ({@code keyway_quarantine}). */
    void quarantine(List<QuarantinedDocument> documents);

    /**
     * As {@link #takeQuarantined}, over the documents the migration's last verify found ({@code keyway_verify}): a
     * {@code verify --fix} run takes each out in the transaction that migrates it.
     */
    Page takeVerifyFindings(String migration, String cursor, int limit);

    /**
     * Records documents a verify found that {@code migrateOne} would still change, in this transaction
     * ({@code keyway_verify}); a document's {@code error} is its would-be change.
     */
    void recordVerifyFindings(List<QuarantinedDocument> documents);

    /**
     * Records the batch in the ledger. Returns false when an entry with the same key exists already
     * (another worker applied the same batch concurrently): then roll back.
     */
    boolean recordLedger(LedgerEntry entry);

    /**
     * The end of a batch that applied: records it in the ledger and moves its segment's fence to where it ended
     * ({@link #recordLedger} then {@link #advanceFence}; a database that can send both at once does). Returns false,
     * having moved nothing, when the ledger holds the batch already: then roll back.
     */
    default boolean recordLedgerAndAdvance(LedgerEntry entry) {
        if (!recordLedger(entry)) {
            return false;
        }
        advanceFence(entry.key().migration(), entry.key().segment(), entry.nextCursor(), entry.done());
        return true;
    }

    void commit();

    /**
     * Ends the transaction without waiting for {@code migrateOne} calls that may still use it (a batch
     * past its deadline): the connection is closed and dropped from the pool, so the database rolls the
     * transaction back and releases its locks; later calls through {@link #db()} fail.
     */
    void abandon();

    @Override
    void close();
}
