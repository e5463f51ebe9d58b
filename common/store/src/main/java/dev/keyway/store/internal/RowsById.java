package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Rows of one table read by their ids, in statements of at most {@value #CHUNK} ids ({@code key IN (..)}). */
final class RowsById {

    /** Ids per statement: far below every database's limit on parameters, even for a key of several columns. */
    static final int CHUNK = 1_000;

    private RowsById() {
    }

    /**
     * The rows of {@code t} with these ids, keyed by their id's text ({@link Db#idText} of the id read back, so that an
     * id given in another form, {@code "42"} for {@code 42}, finds its row under the row's own); missing ids are absent.
     *
     * @param lock whether to lock them ({@code FOR UPDATE}) until the transaction ends
     */
    static Map<String, ObjectNode> read(Connection c, Sql sql, TableInfo t, List<JsonNode> ids, boolean lock)
            throws SQLException {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<JsonNode> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            String q = "SELECT * FROM " + t.sqlName() + " WHERE " + keyIn(t, chunk.size())
                    + (lock ? sql.dialect().forUpdate() : "");
            try (PreparedStatement ps = c.prepareStatement(q)) {
                int index = 1;
                for (JsonNode id : chunk) {
                    for (JsonNode v : t.keyValues(id)) {
                        sql.bind(ps, index++, v);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    Sql.RowReader rows = sql.rowReader(rs.getMetaData());
                    while (rs.next()) {
                        ObjectNode row = rows.read(rs);
                        out.put(Db.idText(t.idOf(row)), row);
                    }
                }
            }
        }
        return out;
    }

    /** The row of {@code t} with this id, or null when there is none. */
    static ObjectNode one(Connection c, Sql sql, TableInfo t, JsonNode id, boolean lock) throws SQLException {
        return read(c, sql, t, List.of(id), lock).values().stream().findFirst().orElse(null);
    }

    /** {@code "id" IN (?, ?)}, or for a composite key {@code ("a", "b") IN ((?, ?), (?, ?))}: {@code n} ids. */
    static String keyIn(TableInfo t, int n) {
        String one = t.isComposite()
                ? "(" + String.join(", ", Collections.nCopies(t.key().size(), "?")) + ")" : "?";
        String columns = t.key().stream().map(Sql::quote).collect(Collectors.joining(", "));
        return (t.isComposite() ? "(" + columns + ")" : columns) + " IN ("
                + String.join(", ", Collections.nCopies(n, one)) + ")";
    }
}
