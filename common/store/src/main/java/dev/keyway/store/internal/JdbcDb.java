package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.Query;
import dev.keyway.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link Db} on the batch's connection. Methods are synchronized: with {@code parallelize}, several
 * {@code migrateOne} calls share one connection, which runs one statement at a time.
 */
final class JdbcDb implements Db {

    private final Connection connection;
    private final Sql sql;
    private final JdbcStore store;
    /** Set when the batch's transaction ended: a call that outlived its batch must not touch the connection. */
    private volatile boolean closed;
    /** The batch's before-images, when it keeps them ({@code keepImages}); null: writes are not imaged. */
    private ImageRecorder images;

    JdbcDb(Connection connection, Sql sql, JdbcStore store) {
        this.connection = connection;
        this.sql = sql;
        this.store = store;
    }

    @Override
    public synchronized Optional<ObjectNode> get(String table, JsonNode id) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        List<JsonNode> values = t.keyValues(id);
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        for (int k = 0; k < values.size(); k++) {
            byKey.put(t.key().get(k), values.get(k));
        }
        return select(t, byKey, 1).stream().findFirst();
    }

    void close() {
        closed = true;
    }

    /** From now on, every write records the before-image and after-hash of its row in {@code images}. */
    synchronized void keepImages(ImageRecorder images) {
        this.images = images;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this batch's transaction has ended (rolled back after its deadline or an"
                    + " error): a migrateOne call may use ctx.db() only while its batch runs");
        }
    }

    @Override
    public Query query(String table) {
        return new EqQuery(store.table(table, connection), Map.of());
    }

    @Override
    public synchronized JsonNode insert(String table, ObjectNode doc) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        // generated columns are left out: a document read with get() holds them, the database computes them
        List<String> cols = JdbcBatchTransaction.fieldNames(doc).stream()
                .filter(c -> !doc.get(c).isNull() && !t.generated().contains(c)).collect(Collectors.toList());
        String q = insertStatement(t, cols, "");
        boolean keyGiven = t.key().stream().allMatch(cols::contains);
        try (PreparedStatement ps = keyGiven ? connection.prepareStatement(q)
                : connection.prepareStatement(q, Statement.RETURN_GENERATED_KEYS)) {
            bindColumns(ps, t, cols, doc);
            ps.executeUpdate();
            JsonNode id = keyGiven ? t.idOf(doc) : generatedId(ps, t, doc);
            if (images != null) {
                if (id == null) {
                    throw new StoreException("cannot keep the before-image of the row inserted into " + t.describe()
                            + ": the database did not say its key; give the key's columns in the document", null);
                }
                images.written(t, id, null);
            }
            return id;
        } catch (SQLException e) {
            throw sql.failure("cannot insert into " + t.describe(), e);
        }
    }

    /** The id of the row just inserted, as the database made its key; null when it says none. */
    private JsonNode generatedId(PreparedStatement ps, TableInfo t, ObjectNode doc) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                return null;
            }
            ObjectNode row = sql.readRow(keys);
            // the key's columns the database made come back; the others are as the document gave them
            t.key().stream().filter(k -> !row.has(k) && doc.hasNonNull(k)).forEach(k -> row.set(k, doc.get(k)));
            JsonNode id = t.idOf(row);
            return id != null || t.isComposite() || row.isEmpty() ? id : row.elements().next();
        }
    }

    /**
     * Inserts a row as an image kept it (an undo putting back a row its run deleted), its key included even where the
     * database generates it; the other generated columns it computes again.
     */
    synchronized void insertAsItWas(TableInfo t, ObjectNode row) {
        ensureOpen();
        List<String> cols = JdbcBatchTransaction.fieldNames(row).stream()
                .filter(c -> t.key().contains(c) || !t.generated().contains(c)).collect(Collectors.toList());
        boolean generatedKey = t.key().stream().anyMatch(t.generated()::contains);
        try (PreparedStatement ps = connection.prepareStatement(insertStatement(t, cols,
                generatedKey ? sql.dialect().overridingSystemValue() : ""))) {
            bindColumns(ps, t, cols, row);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw sql.failure("cannot insert again row " + t.keyDescription() + "=" + Db.idText(t.idOf(row)) + " into "
                    + t.describe(), e);
        }
    }

    private static String insertStatement(TableInfo t, List<String> cols, String overriding) {
        return "INSERT INTO " + t.sqlName() + " (" + cols.stream().map(Sql::quote).collect(Collectors.joining(", "))
                + ")" + overriding + " VALUES (" + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public synchronized void patch(String table, JsonNode id, ObjectNode fields) {
        ensureOpen();
        if (fields.isEmpty()) {
            return;
        }
        TableInfo t = store.table(table, connection);
        List<JsonNode> keyValues = t.keyValues(id);
        List<String> cols = new ArrayList<>();
        for (String c : JdbcBatchTransaction.fieldNames(fields)) {
            int k = t.key().indexOf(c);
            if (k < 0) {
                cols.add(c);
            } else if (!JdbcBatchTransaction.sameValue(fields.get(c), keyValues.get(k))) {
                throw new StoreException("ctx.db().patch must not change the primary key: row " + t.keyDescription() + "="
                        + Db.idText(id) + " of " + t.describe() + " was patched to " + c + "=" + fields.get(c)
                        + "; to re-key a row, insert the new one and delete the old", null);
            }
        }
        t.refuseGenerated(cols, "ctx.db().patch of row " + t.keyDescription() + "=" + Db.idText(id),
                "the row was left as it was");
        if (!cols.isEmpty()) {
            update(t, id, cols, fields);
        }
    }

    @Override
    public synchronized void replace(String table, JsonNode id, ObjectNode doc) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        List<String> cols = t.columns().stream().filter(c -> !t.key().contains(c) && !t.generated().contains(c))
                .collect(Collectors.toList());
        if (!cols.isEmpty()) {
            update(t, id, cols, doc);
        }
    }

    @Override
    public synchronized void delete(String table, JsonNode id) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        List<JsonNode> keyValues = t.keyValues(id);
        ObjectNode before = images == null ? null : images.lock(t, id);
        String q = "DELETE FROM " + t.sqlName() + " WHERE " + t.keyCondition();
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            int i = 1;
            for (JsonNode v : keyValues) {
                sql.bind(ps, i++, v);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw sql.failure("cannot delete " + Db.idText(id) + " from " + t.describe(), e);
        }
        if (images != null) {
            images.written(t, id, before);
        }
    }

    /** Updates one row; with images on, its before-image is read and locked first and its after-image read back. */
    private void update(TableInfo t, JsonNode id, List<String> cols, ObjectNode values) {
        List<JsonNode> keyValues = t.keyValues(id);
        ObjectNode before = images == null ? null : images.lock(t, id);
        String q = "UPDATE " + t.sqlName() + " SET "
                + cols.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(", "))
                + " WHERE " + t.keyCondition();
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            int i = bindColumns(ps, t, cols, values);
            for (JsonNode v : keyValues) {
                sql.bind(ps, i++, v);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw sql.failure("cannot update " + keyValues + " of " + t.describe(), e);
        }
        if (images != null) {
            images.written(t, id, before);
        }
    }

    /** Binds the values of {@code cols} from parameter 1 as their columns' types; returns the next index. */
    private int bindColumns(PreparedStatement ps, TableInfo t, List<String> cols, ObjectNode values) throws SQLException {
        TableColumns types = store.columnTypes(t, connection);
        int i = 1;
        for (String c : cols) {
            Column column = types.get(c);
            try {
                if (column == null) {
                    sql.bind(ps, i, values.get(c)); // not a column of the table: the statement fails naming it
                } else {
                    ColumnValues.bind(ps, i, column, values.get(c), sql.dialect());
                }
            } catch (IllegalArgumentException bad) {
                throw new StoreException("cannot write to table " + t.describe() + ": " + bad.getMessage()
                        + " (docs/TYPES.md says what each column type takes)", null);
            }
            i++;
        }
        return i;
    }

    private synchronized List<ObjectNode> select(TableInfo t, Map<String, JsonNode> eq, int limit) {
        ensureOpen();
        List<String> cols = new ArrayList<>(eq.keySet());
        String where = cols.isEmpty() ? "1=1"
                : cols.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(" AND "));
        String q = "SELECT * FROM " + t.sqlName() + " WHERE " + where + " ORDER BY "
                + t.key().stream().map(Sql::quote).collect(Collectors.joining(", ")) + " LIMIT ?";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            int i = 1;
            for (String c : cols) {
                sql.bind(ps, i++, eq.get(c));
            }
            ps.setInt(i, limit);
            List<ObjectNode> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader rows = sql.rowReader(rs.getMetaData());
                while (rs.next()) {
                    out.add(rows.read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw sql.failure("cannot query " + t.describe() + " where " + eq, e);
        }
    }

    private final class EqQuery implements Query {
        private final TableInfo table;
        private final Map<String, JsonNode> eq;

        EqQuery(TableInfo table, Map<String, JsonNode> eq) {
            this.table = table;
            this.eq = eq;
        }

        @Override
        public Query eq(String column, JsonNode value) {
            Map<String, JsonNode> more = new java.util.LinkedHashMap<>(eq);
            more.put(column, value);
            return new EqQuery(table, more);
        }

        @Override
        public Query eq(String column, String value) {
            return eq(column, TextNode.valueOf(value));
        }

        @Override
        public Optional<ObjectNode> first() {
            return take(1).stream().findFirst();
        }

        @Override
        public List<ObjectNode> take(int n) {
            return select(table, eq, n);
        }
    }
}
