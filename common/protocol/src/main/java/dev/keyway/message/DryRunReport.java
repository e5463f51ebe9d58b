package dev.keyway.message;

import java.util.List;

/**
 * The result of a dry run: one batch applied and rolled back; {@code error} when the batch failed. The report is
 * bounded (see docs/CONTRACTS.md): {@code changes} shows at most 50 documents with long values cut, and
 * {@code omitted} counts the changed documents it leaves out.
 */
public record DryRunReport(long at, String cursor, int processed, String nextCursor,
                           List<Event.DocumentChange> changes, String error, int omitted) {
    public DryRunReport {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    /** A report that leaves no changed document out. */
    public DryRunReport(long at, String cursor, int processed, String nextCursor, List<Event.DocumentChange> changes,
                        String error) {
        this(at, cursor, processed, nextCursor, changes, error, 0);
    }
}
