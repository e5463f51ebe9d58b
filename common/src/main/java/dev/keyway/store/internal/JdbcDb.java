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

    JdbcDb(Connection connection, Sql sql, JdbcStore store) {
        this.connection = connection;
        this.sql = sql;
        this.store = store;
    }

    @Override
    public synchronized Optional<ObjectNode> get(String table, JsonNode id) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        return select(t, Map.of(t.primaryKey(), id), 1).stream().findFirst();
    }

    void close() {
        closed = true;
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
        List<String> cols = JdbcBatchTransaction.fieldNames(doc).stream()
                .filter(c -> !doc.get(c).isNull()).collect(Collectors.toList());
        String q = "INSERT INTO " + Sql.quote(t.name()) + " ("
                + cols.stream().map(Sql::quote).collect(Collectors.joining(", ")) + ") VALUES ("
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        boolean keyGiven = doc.hasNonNull(t.primaryKey());
        try (PreparedStatement ps = keyGiven ? connection.prepareStatement(q)
                : connection.prepareStatement(q, Statement.RETURN_GENERATED_KEYS)) {
            bindColumns(ps, t, cols, doc);
            ps.executeUpdate();
            if (keyGiven) {
                return doc.get(t.primaryKey());
            }
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    return null;
                }
                ObjectNode row = Sql.readRow(keys, keys.getMetaData());
                JsonNode id = row.get(t.primaryKey());
                return id != null ? id : row.elements().next();
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot insert into " + t.name(), e);
        }
    }

    @Override
    public synchronized void patch(String table, JsonNode id, ObjectNode fields) {
        ensureOpen();
        if (fields.isEmpty()) {
            return;
        }
        TableInfo t = store.table(table, connection);
        List<String> cols = JdbcBatchTransaction.fieldNames(fields);
        update(t, id, cols, fields);
    }

    @Override
    public synchronized void replace(String table, JsonNode id, ObjectNode doc) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        List<String> cols = t.columns().stream().filter(c -> !c.equals(t.primaryKey())).collect(Collectors.toList());
        update(t, id, cols, doc);
    }

    @Override
    public synchronized void delete(String table, JsonNode id) {
        ensureOpen();
        TableInfo t = store.table(table, connection);
        String q = "DELETE FROM " + Sql.quote(t.name()) + " WHERE " + Sql.quote(t.primaryKey()) + " = ?";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            sql.bind(ps, 1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("cannot delete " + id + " from " + t.name(), e);
        }
    }

    private void update(TableInfo t, JsonNode id, List<String> cols, ObjectNode values) {
        String q = "UPDATE " + Sql.quote(t.name()) + " SET "
                + cols.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(", "))
                + " WHERE " + Sql.quote(t.primaryKey()) + " = ?";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            sql.bind(ps, bindColumns(ps, t, cols, values), id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("cannot update " + id + " of " + t.name(), e);
        }
    }

    /** Binds the values of {@code cols} from parameter 1 as their columns' types; returns the next index. */
    private int bindColumns(PreparedStatement ps, TableInfo t, List<String> cols, ObjectNode values) throws SQLException {
        TableColumns types = store.columnTypes(t.name(), connection);
        int i = 1;
        for (String c : cols) {
            Column column = types.get(c);
            try {
                if (column == null) {
                    sql.bind(ps, i, values.get(c)); // not a column of the table: the statement fails naming it
                } else {
                    ColumnValues.bind(ps, i, column, values.get(c), sql.postgres());
                }
            } catch (IllegalArgumentException bad) {
                throw new StoreException("cannot write to table " + t.name() + ": " + bad.getMessage()
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
        String q = "SELECT * FROM " + Sql.quote(t.name()) + " WHERE " + where + " ORDER BY "
                + Sql.quote(t.primaryKey()) + " LIMIT ?";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            int i = 1;
            for (String c : cols) {
                sql.bind(ps, i++, eq.get(c));
            }
            ps.setInt(i, limit);
            List<ObjectNode> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader rows = new Sql.RowReader(rs.getMetaData());
                while (rs.next()) {
                    out.add(rows.read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("cannot query " + t.name() + " where " + eq, e);
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
