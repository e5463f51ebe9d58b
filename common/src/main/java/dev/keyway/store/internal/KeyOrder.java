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
 * The keyset order of a walk and its cursors. A walk over the whole table, the primary key, or an
 * equality range is ordered by the primary key; a range over another column by (column, key).
 * A cursor is the JSON array of a document's order-column values, e.g. {@code [42]} or {@code ["b",7]}.
 */
final class KeyOrder {

    private final String table;
    private final CustomRange range;
    private final List<String> columns;

    KeyOrder(String table, String primaryKey, CustomRange range) {
        this.table = table;
        boolean unbounded = range == null || (range.from() == null && range.to() == null);
        this.range = unbounded ? null : range;
        this.columns = this.range == null || this.range.column().equals(primaryKey) || this.range.isEquality()
                ? List.of(primaryKey)
                : List.of(this.range.column(), primaryKey);
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
            parts.add(tuple() + " > " + params());
        }
        if (end != null) {
            parts.add(tuple() + " <= " + params());
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

    private int bindCursor(Sql sql, PreparedStatement ps, int index, String cursor) throws SQLException {
        JsonNode values = Sql.parseJson(cursor, "cursor");
        if (!values.isArray() || values.size() != columns.size()) {
            throw new StoreException("cursor " + cursor + " does not fit table " + table + ": expected a JSON array of "
                    + columns.size() + " value(s) for " + columns + "; take a cursor from the migration's status", null);
        }
        for (JsonNode v : values) {
            sql.bind(ps, index++, v);
        }
        return index;
    }

    private String tuple() {
        return columns.size() == 1 ? Sql.quote(columns.get(0)) : "(" + orderBy() + ")";
    }

    private String params() {
        return columns.size() == 1 ? "?" : "(" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }
}
