package dev.keyway.store;

import dev.keyway.message.BatchKey;

/**
 * One applied batch, written in the batch's own transaction: the proof that it was applied.
 *
 * @param nextCursor the cursor of the batch's last row: where the segment's next batch starts
 * @param done true when the segment had no rows after the batch
 * @param quarantined how many of the batch's rows it set aside ({@link QuarantinedDocument}), in the same transaction
 */
public record LedgerEntry(BatchKey key, String nextCursor, int processed, boolean done, int quarantined) {

    /** A batch that quarantined nothing. */
    public LedgerEntry(BatchKey key, String nextCursor, int processed, boolean done) {
        this(key, nextCursor, processed, done, 0);
    }
}
