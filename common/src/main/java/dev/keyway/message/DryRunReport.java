package dev.keyway.message;

import java.util.List;

/** The result of a dry run: one batch applied and rolled back; {@code error} when the batch failed. */
public record DryRunReport(long at, String cursor, int processed, String nextCursor,
                           List<Event.DocumentChange> changes, String error) {
    public DryRunReport {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
