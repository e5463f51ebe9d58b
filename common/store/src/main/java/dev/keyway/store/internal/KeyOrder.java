package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.CustomRange;
import dev.keyway.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The keyset order of a walk and its cursors. A walk over the whole table, an equality range, or a range over the
 * primary key's first column is ordered by the primary key's columns, in key order; a range over another column by
 * (column, the key's other columns). A cursor (and a segment's split point) is the JSON array of a document's
 * order-column values, e.g. {@code [42]}, {@code [3,17]} for the key (actor_id, film_id), or {@code ["b",7]}.
 */
final class KeyOrder {

    private final String table;
    private final CustomRange range;
    private final List<String> columns;
    /** Whether a cursor is compared as a row value, {@code (a, b) > (?, ?)}, or column by column. */
    private final boolean rowValues;

    /** The walk's order with row-value comparisons; a {@link StoreException} when the range's column is not one of the table's. */
    KeyOrder(TableInfo table, CustomRange range) {
        this(table, range, true);
    }

    /** The walk's order, its cursors compared as the dialect finds them in an index ({@link Dialect#indexesRowComparisons}). */
    KeyOrder(TableInfo table, CustomRange range, Dialect dialect) {
        this(table, range, dialect.indexesRowComparisons());
    }

    private KeyOrder(TableInfo table, CustomRange range, boolean rowValues) {
        this.table = table.describe();
        this.rowValues = rowValues;
        boolean unbounded = range == null || (range.from() == null && range.to() == null);
        if (range != null && !table.columns().contains(range.column())) {
            throw new StoreException("customRange column " + range.column() + " not found in table " + table.describe()
                    + " (its columns: " + String.join(", ", table.columns()) + "): fix the migration's customRange"
                    + " (names are case-sensitive)", null);
        }
        this.range = unbounded ? null : range;
        if (this.range == null || this.range.isEquality() || this.range.column().equals(table.key().get(0))) {
            this.columns = table.key();
        } else {
            List<String> order = new ArrayList<>();
            order.add(this.range.column());
            table.key().stream().filter(c -> !c.equals(this.range.column())).forEach(order::add);
            this.columns = List.copyOf(order);
        }
    }

    /** The order's columns: the cursor's values are theirs, in this order. */
    List<String> columns() {
        return columns;
    }

    String cursorOf(ObjectNode doc) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String c : columns) {
            a.add(doc.get(c));
        }
        return a.toString();
    }

    /** The WHERE clause (without "WHERE") for the walk after {@code cursor} up to {@code end}. */
    String where(String cursor, String end) {
        List<String> parts = new ArrayList<>();
        if (range != null && range.from() != null) {
            parts.add(Sql.quote(range.column()) + " >= ?");
        }
        if (range != null && range.to() != null) {
            parts.add(Sql.quote(range.column()) + " <= ?");
        }
        if (cursor != null) {
            parts.add(compare(">"));
        }
        if (end != null) {
            parts.add(compare("<="));
        }
        return parts.isEmpty() ? "1=1" : String.join(" AND ", parts);
    }

    String orderBy() {
        return columns.stream().map(Sql::quote).collect(Collectors.joining(", "));
    }

    String selectColumns() {
        return orderBy();
    }

    /** Binds the parameters of {@link #where}; returns the next parameter index. */
    int bind(Sql sql, PreparedStatement ps, int index, String cursor, String end) throws SQLException {
        if (range != null && range.from() != null) {
            sql.bindBound(ps, index++, range.from());
        }
        if (range != null && range.to() != null) {
            sql.bindBound(ps, index++, range.to());
        }
        if (cursor != null) {
            index = bindCursor(sql, ps, index, cursor);
        }
        if (end != null) {
            index = bindCursor(sql, ps, index, end);
        }
        return index;
    }

    /**
     * Checks that a cursor a run would start from fits this order, before the run starts: a run resumed, or given
     * a cursor, after the table's key changed.
     */
    void checkStartingCursor(String cursor) {
        JsonNode values = Sql.parseJson(cursor, "cursor");
        if (!values.isArray() || values.size() != columns.size()) {
            throw new StoreException("cursor " + cursor + " does not fit table " + table + ", walked by " + columns
                    + " now: was its primary key changed since the cursor was taken? Run the migration from the start"
                    + " (rows it has migrated are migrated again) or from a cursor of " + columns.size() + " value(s)",
                    null);
        }
    }

    private int bindCursor(Sql sql, PreparedStatement ps, int index, String cursor) throws SQLException {
        JsonNode values = Sql.parseJson(cursor, "cursor");
        if (!values.isArray() || values.size() != columns.size()) {
            throw new StoreException("cursor " + cursor + " does not fit table " + table + ": expected a JSON array of "
                    + columns.size() + " value(s) for " + columns + "; take a cursor from the migration's status", null);
        }
        for (int i = 0; i < values.size(); i++) {
            sql.bind(ps, index++, values.get(i));
            if (!rowValues && i < values.size() - 1) {
                sql.bind(ps, index++, values.get(i)); // column by column, every value but the last is compared twice
            }
        }
        return index;
    }

    /** The order's columns against a cursor: {@code "a" > ?}, {@code ("a", "b") > (?, ?)}, or column by column. */
    private String compare(String op) {
        if (columns.size() == 1) {
            return Sql.quote(columns.get(0)) + " " + op + " ?";
        }
        if (rowValues) {
            return "(" + orderBy() + ") " + op + " (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        }
        return columnByColumn(0, op);
    }

    /** {@code ("a" > ? OR ("a" = ? AND "b" > ?))}: the row-value comparison written out, which MariaDB reads as a range. */
    private String columnByColumn(int i, String op) {
        String column = Sql.quote(columns.get(i));
        if (i == columns.size() - 1) {
            return column + " " + op + " ?";
        }
        return "(" + column + " " + op.substring(0, 1) + " ? OR (" + column + " = ? AND " + columnByColumn(i + 1, op) + "))";
    }
}
