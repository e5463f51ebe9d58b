package dev.keyway.coordinator.core;

import dev.keyway.migration.Migration;
import java.util.List;
import java.util.Optional;

/**
 * Whether a migration's table can be walked, read afresh from the database: the coordinator asks its store
 * ({@code Store.checkWalk}); the state machine decides when to ask, and refuses a {@code run} whose table cannot be
 * walked with nothing changed. Also what a walk is ordered by, for {@code list}.
 */
@FunctionalInterface
public interface TableCheck {

    /** Asks nothing: every table can be walked (the state machine's own tests). */
    TableCheck NONE = (m, cursors) -> Optional.empty();

    /**
     * Why the migration's table cannot be walked from {@code cursors} (where a resumed run's segments stand and end,
     * or the cursor a run is given; none for a run from the start), or empty when it can, and when the database
     * cannot be reached now (the run's planning and batches wait for it).
     */
    Optional<String> problem(Migration m, List<String> cursors);

    /**
     * The columns the migration's walk is ordered by ({@code Store.keyColumns}); empty when they cannot be had now
     * (the database cannot be reached, the table cannot be walked), and by default: unknown, never a guess.
     */
    default Optional<List<String>> keyColumns(Migration m) {
        return Optional.empty();
    }
}
