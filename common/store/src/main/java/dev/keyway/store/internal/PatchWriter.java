package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.Excerpt;
import dev.keyway.migration.Db;
import dev.keyway.store.RejectedValueException;
import dev.keyway.store.StoreException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a batch's patches of one set of columns in its transaction, in as few statements as the database allows:
 * one for the whole group on PostgreSQL ({@link Dialect#patchArrays}), one per 100 rows on MariaDB and H2
 * ({@link Dialect#patchCases}), else one {@code UPDATE} a row in a JDBC batch, which is also how a group the database
 * refused is written again, so that the error names the document whose value it refuses.
 */
final class PatchWriter {

    private final Connection connection;
    private final Sql sql;
    private final TableInfo table;

    PatchWriter(Connection connection, Sql sql, TableInfo table) {
        this.connection = connection;
        this.sql = sql;
        this.table = table;
    }

    /** Writes {@code rows} (document key to patch), each of which sets exactly the columns {@code cols}. */
    void write(List<String> cols, List<Map.Entry<JsonNode, ObjectNode>> rows, TableColumns types) {
        if (inFewStatements(cols, rows, types)) {
            return;
        }
        String q = "UPDATE " + table.sqlName() + " SET "
                + cols.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(", "))
                + " WHERE " + table.keyCondition();
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            for (Map.Entry<JsonNode, ObjectNode> e : rows) {
                int i = 1;
                for (String c : cols) {
                    bindColumn(ps, i++, types.get(c), e.getValue().get(c), e.getKey());
                }
                for (JsonNode v : table.keyValues(e.getKey())) {
                    sql.bind(ps, i++, v);
                }
                ps.addBatch();
            }
            executePatches(ps, cols, rows);
        } catch (SQLException e) {
            throw sql.failure("cannot patch " + table.describe() + " columns " + cols, e);
        }
    }

    /** The savepoint a patch statement rolls back to when the database refuses it (and its rows go one by one). */
    private static final String PATCH_SAVEPOINT = "keyway_patch";

    /**
     * Patches a group of rows with few statements, when the dialect has a form for it: one statement for the group
     * ({@link Dialect#patchArrays}: one text array a column, each element cast to its column's type by the statement),
     * or one a chunk of rows ({@link Dialect#patchCases}: each column set by a {@code CASE} over the chunk's keys, the
     * values bound as the one-row statement binds them). False when it has none, for an array column (or a column
     * the {@code CASE} form does not take), or when a statement failed: then nothing of the group is written (its work
     * is rolled back to a savepoint) and {@link #write} patches the rows one statement each, which names the document
     * whose value the database refuses.
     */
    private boolean inFewStatements(List<String> cols, List<Map.Entry<JsonNode, ObjectNode>> rows, TableColumns types) {
        List<Column> set = cols.stream().map(types::get).toList();
        List<Column> key = table.key().stream().map(types::get).toList();
        if (rows.size() < 2 || set.contains(null) || key.contains(null)
                || set.stream().anyMatch(c -> c.kind() == Column.Kind.ARRAY)) {
            return false;
        }
        String arrays = sql.dialect().patchArrays(table, set, key);
        // the CASE form's statement for a full chunk, built once for every chunk of that size
        int chunk = Math.min(rows.size(), CASE_ROWS);
        String cases = arrays != null || !set.stream().allMatch(c -> CASE_KINDS.contains(c.kind())) ? null
                : sql.dialect().patchCases(table, set, key, chunk);
        if (arrays == null && cases == null) {
            return false;
        }
        // the statements' work alone can be rolled back: a savepoint before them, released after them (sent with the
        // statement where the driver sends several together)
        boolean together = arrays != null && sql.dialect().sendsStatementsTogether();
        Savepoint before = null;
        try {
            if (!together) {
                before = connection.setSavepoint(PATCH_SAVEPOINT);
            }
        } catch (SQLException e) {
            throw sql.failure("cannot set a savepoint in the batch of " + table.describe(), e);
        }
        try {
            if (arrays != null) {
                patchByArrays(together ? "SAVEPOINT " + PATCH_SAVEPOINT + "; " + arrays + "; RELEASE SAVEPOINT "
                        + PATCH_SAVEPOINT : arrays, set, key, rows);
            } else {
                for (int from = 0; from < rows.size(); from += chunk) {
                    List<Map.Entry<JsonNode, ObjectNode>> part = rows.subList(from, Math.min(rows.size(), from + chunk));
                    patchByCases(part.size() == chunk ? cases : sql.dialect().patchCases(table, set, key, part.size()),
                            set, key, part);
                }
            }
            if (before != null) {
                connection.releaseSavepoint(before);
            }
            return true;
        } catch (SQLException | RejectedValueException e) {
            Dialect.Failure failure = e instanceof SQLException q ? sql.dialect().classify(q) : Dialect.Failure.OTHER;
            if (failure == Dialect.Failure.LOCK_TIMEOUT || failure == Dialect.Failure.STATEMENT_TIMEOUT
                    || failure == Dialect.Failure.IDLE_SESSION_ENDED || failure == Dialect.Failure.RETRIABLE) {
                // a lock or statement timeout, a lost session, a deadlock: one statement a row would meet it again
                throw sql.failure("cannot patch " + table.describe() + " columns " + cols, (SQLException) e);
            }
            try {
                if (before != null) {
                    connection.rollback(before);
                } else {
                    try (Statement st = connection.createStatement()) {
                        st.execute("ROLLBACK TO SAVEPOINT " + PATCH_SAVEPOINT);
                    }
                }
            } catch (SQLException again) {
                e.addSuppressed(again);
                throw sql.failure("cannot patch " + table.describe() + " columns " + cols, again);
            }
            return false; // one statement a row again: the failure, if it is one, names its document
        }
    }

    /** The kinds of column the {@code CASE} form sets: values a {@code CASE} carries to the column as they are. */
    private static final Set<Column.Kind> CASE_KINDS = EnumSet.of(Column.Kind.INTEGER, Column.Kind.DECIMAL,
            Column.Kind.FLOAT, Column.Kind.BOOLEAN, Column.Kind.TEXT, Column.Kind.TIMESTAMP, Column.Kind.TIMESTAMPTZ,
            Column.Kind.JSON);
    /** Rows a {@code CASE} statement sets: its {@code CASE} is read row by row, so its length stays short. */
    static final int CASE_ROWS = 100;

    private void patchByArrays(String text, List<Column> set, List<Column> key, List<Map.Entry<JsonNode, ObjectNode>> rows)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(text)) {
            int i = 1;
            for (Column c : set) {
                String[] values = new String[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    values[r] = text(c, rows.get(r).getValue().get(c.name()));
                }
                ps.setArray(i++, connection.createArrayOf("text", values));
            }
            for (int k = 0; k < key.size(); k++) {
                String[] values = new String[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    values[r] = text(key.get(k), table.keyValues(rows.get(r).getKey()).get(k));
                }
                ps.setArray(i++, connection.createArrayOf("text", values));
            }
            ps.execute();
        }
    }

    private void patchByCases(String text, List<Column> set, List<Column> key, List<Map.Entry<JsonNode, ObjectNode>> rows)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(text)) {
            int i = 1;
            for (Column c : set) {
                for (Map.Entry<JsonNode, ObjectNode> row : rows) {
                    for (JsonNode v : table.keyValues(row.getKey())) {
                        sql.bind(ps, i++, v);
                    }
                    bindColumn(ps, i++, c, row.getValue().get(c.name()), row.getKey());
                }
            }
            for (Map.Entry<JsonNode, ObjectNode> row : rows) {
                for (JsonNode v : table.keyValues(row.getKey())) {
                    sql.bind(ps, i++, v);
                }
            }
            ps.executeUpdate();
        }
    }

    /** A value in the text form its column's type reads (the statement casts each array element to the type). */
    private static String text(Column c, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (c.kind() == Column.Kind.JSON) {
            return Sql.jsonText(v);
        }
        if (v.isBigDecimal()) {
            return v.decimalValue().toPlainString();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        // a number's or a boolean's own text: JsonNode.toString() runs Jackson's writer (14 % of a worker's samples)
        return v.isNumber() || v.isBoolean() ? v.asText() : v.toString();
    }

    private void bindColumn(PreparedStatement ps, int index, Column column, JsonNode value, JsonNode id)
            throws SQLException {
        if (column == null) {
            sql.bind(ps, index, value); // not a column of the table: the statement fails naming it
            return;
        }
        try {
            ColumnValues.bind(ps, index, column, value, sql.dialect());
        } catch (IllegalArgumentException bad) {
            throw rejected(id, bad.getMessage(), null);
        }
    }

    /**
     * Runs the batch of one group's updates. When the database refuses a value (a data exception, class 22, or a
     * constraint, class 23), the error names the document whose update failed and what its patch set.
     */
    private void executePatches(PreparedStatement ps, List<String> cols, List<Map.Entry<JsonNode, ObjectNode>> rows)
            throws SQLException {
        try {
            ps.executeBatch();
        } catch (BatchUpdateException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            StoreException failure = sql.failure("cannot patch " + table.describe() + " columns " + cols, cause);
            String state = Dialect.state(cause);
            int failed = sql.dialect().failedBatchEntry(e);
            if (failure.getClass() != StoreException.class || !sql.dialect().isRejectedValue(cause)) {
                throw failure;
            }
            if (failed < 0 || failed >= rows.size()) {
                throw new StoreException(failure.getMessage() + "; the value is in the patch of one of the documents "
                        + Excerpt.of(rows.stream().map(r -> Db.idText(r.getKey())).toList().toString(), 200)
                        + "; the batch was rolled back", cause);
            }
            Map.Entry<JsonNode, ObjectNode> row = rows.get(failed);
            throw rejected(row.getKey(), "the database refused the patch " + ColumnValues.shown(row.getValue()) + ": "
                    + cause.getMessage() + " (SQLState " + state + ")", cause);
        }
    }

    private RejectedValueException rejected(JsonNode id, String why, Throwable cause) {
        return new RejectedValueException("cannot write document " + table.keyDescription() + "=" + Db.idText(id)
                + " of " + table.describe() + ": " + why + "; the batch was rolled back. Fix the value migrateOne returns for this"
                + " column or the data it comes from (docs/TYPES.md says what each column type takes), then run the"
                + " migration again: it resumes from this batch", Db.idText(id), cause);
    }
}
