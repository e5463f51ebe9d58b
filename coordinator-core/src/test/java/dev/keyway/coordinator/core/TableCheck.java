package dev.keyway.coordinator.core;

import dev.keyway.migration.Migration;
import java.util.List;
import java.util.Optional;

/**
 * How the database answers the core's {@link Effect.CheckTables} in a test ({@link CoreDriver}): why a migration's
 * table cannot be walked from some cursors ({@code Store.checkWalk}), and what a walk is ordered by.
 */
@FunctionalInterface
interface TableCheck {

    /** Every table can be walked; key columns unknown. */
    TableCheck NONE = (m, cursors) -> Optional.empty();

    /** Why the migration's table cannot be walked from {@code cursors}, or empty when it can. */
    Optional<String> problem(Migration m, List<String> cursors);

    /** The columns the migration's walk is ordered by; by default unknown. */
    default Optional<List<String>> keyColumns(Migration m) {
        return Optional.empty();
    }
}
