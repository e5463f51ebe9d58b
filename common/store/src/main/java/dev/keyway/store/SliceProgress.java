package dev.keyway.store;

import java.util.List;
import java.util.Optional;

/**
 * How far a task's slice got, as the ledger recorded it: the batches chained from the task's cursor, each
 * starting where the one before it ended ({@link Store#followLedger}).
 *
 * @param nextCursor where the segment's next task starts
 * @param processed rows over all the slice's batches
 * @param done true when the segment is complete
 * @param batches how many batches the chain holds
 * @param quarantined documents the slice's batches set aside
 */
public record SliceProgress(String nextCursor, long processed, boolean done, int batches, long quarantined) {

    /** Progress that quarantined nothing. */
    public SliceProgress(String nextCursor, long processed, boolean done, int batches) {
        this(nextCursor, processed, done, batches, 0);
    }

    /** The progress of a chain of ledger entries, in order; empty when the chain is (nothing was applied). */
    public static Optional<SliceProgress> of(List<LedgerEntry> chain) {
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        LedgerEntry last = chain.get(chain.size() - 1);
        long processed = chain.stream().mapToLong(LedgerEntry::processed).sum();
        long quarantined = chain.stream().mapToLong(LedgerEntry::quarantined).sum();
        return Optional.of(new SliceProgress(last.nextCursor(), processed, last.done(), chain.size(), quarantined));
    }
}
