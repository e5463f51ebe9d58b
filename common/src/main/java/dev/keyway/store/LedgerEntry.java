package dev.keyway.store;

/**
 * One applied batch, written in the batch's own transaction: the proof that it was applied.
 * Key: (migration, runId, segment, cursor); {@code cursor} is the cursor the batch started after.
 */
public record LedgerEntry(String migration, String runId, int segment, String cursor, String nextCursor,
                          int processed, boolean done) {
}
