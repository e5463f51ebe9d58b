package dev.keyway.message;

import java.util.List;

/** The result of a dry run: one batch applied and rolled back. */
public record DryRunReport(long at, String cursor, int processed, String nextCursor,
                           List<Event.DocumentChange> changes) {
    public DryRunReport {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
