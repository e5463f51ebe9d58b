package dev.keyway.coordinator.core;

import java.util.List;
import java.util.Optional;

/**
 * What the database said of the tables a command asked about ({@link Input.TablesChecked}): whether each walk can be
 * walked, and key columns. {@link #NONE} answers without asking: every table can be walked, key columns unknown.
 */
final class TableAnswers {

    static final TableAnswers NONE = new TableAnswers(null);

    private final Input.TablesChecked checked;

    private TableAnswers(Input.TablesChecked checked) {
        this.checked = checked;
    }

    static TableAnswers of(Input.TablesChecked checked) {
        return new TableAnswers(checked);
    }

    /** Why the migration's table cannot be walked from {@code cursors}; empty when it can, or was not asked about. */
    Optional<String> problem(String migration, List<String> cursors) {
        if (checked == null) {
            return Optional.empty();
        }
        List<Effect.Walk> walks = checked.asked().walks();
        for (int i = 0; i < walks.size() && i < checked.problems().size(); i++) {
            if (walks.get(i).migration().name().equals(migration) && walks.get(i).cursors().equals(cursors)) {
                return checked.problems().get(i);
            }
        }
        return Optional.empty();
    }

    /** The columns the migration's walk is ordered by; empty when unknown. */
    Optional<List<String>> keyColumns(String migration) {
        if (checked == null) {
            return Optional.empty();
        }
        for (int i = 0; i < checked.asked().keyColumnsOf().size() && i < checked.keyColumns().size(); i++) {
            if (checked.asked().keyColumnsOf().get(i).name().equals(migration)) {
                return checked.keyColumns().get(i);
            }
        }
        return Optional.empty();
    }
}
