package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** One batch on one pooled connection; rolls back on close unless committed. */
final class JdbcBatchTransaction implements BatchTransaction {

    private final Connection connection;
    private final Sql sql;
    private final TableInfo table;
    private final KeyOrder order;
    private final JdbcDb db;
    private boolean committed;
    private boolean closed;

    JdbcBatchTransaction(Connection connection, Sql sql, TableInfo table, KeyOrder order, JdbcStore store) {
        this.connection = connection;
        this.sql = sql;
        this.table = table;
        this.order = order;
        this.db = new JdbcDb(connection, sql, store);
    }

    @Override
    public String primaryKey() {
        return table.primaryKey();
    }

    @Override
    public Optional<LedgerEntry> findLedger(String migration, String runId, int segment, String cursor) {
        String q = "SELECT next_cursor, processed, done FROM " + JdbcStore.LEDGER
                + " WHERE migration = ? AND run_id = ? AND segment = ? AND start_cursor = ?";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            ps.setString(1, migration);
            ps.setString(2, runId);
            ps.setInt(3, segment);
            ps.setString(4, cursor == null ? "" : cursor);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LedgerEntry(migration, runId, segment, cursor, rs.getString(1), rs.getInt(2),
                        rs.getBoolean(3)));
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot read the ledger (is " + JdbcStore.LEDGER + " created?)", e);
        }
    }

    @Override
    public List<ObjectNode> readPage(String cursor, String end, int limit) {
        String q = "SELECT * FROM " + Sql.quote(table.name()) + " WHERE " + order.where(cursor, end)
                + " ORDER BY " + order.orderBy() + " LIMIT ? FOR UPDATE";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            int next = order.bind(sql, ps, 1, cursor, end);
            ps.setInt(next, limit);
            List<ObjectNode> page = new ArrayList<>(limit);
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader rows = new Sql.RowReader(rs.getMetaData());
                while (rs.next()) {
                    page.add(rows.read(rs));
                }
            }
            return page;
        } catch (SQLException e) {
            throw Sql.failure("cannot read a page of " + table.name() + " after cursor " + cursor, e);
        }
    }

    @Override
    public String cursorOf(ObjectNode doc) {
        return order.cursorOf(doc);
    }

    @Override
    public Map<String, ObjectNode> readByIds(List<JsonNode> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        String marks = ids.stream().map(i -> "?").collect(Collectors.joining(", "));
        String q = "SELECT * FROM " + Sql.quote(table.name()) + " WHERE " + Sql.quote(table.primaryKey())
                + " IN (" + marks + ")";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            for (int i = 0; i < ids.size(); i++) {
                sql.bind(ps, i + 1, ids.get(i));
            }
            Map<String, ObjectNode> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader rows = new Sql.RowReader(rs.getMetaData());
                while (rs.next()) {
                    ObjectNode doc = rows.read(rs);
                    out.put(doc.get(table.primaryKey()).asText(), doc);
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("cannot read documents of " + table.name() + " by id", e);
        }
    }

    @Override
    public Db db() {
        return db;
    }

    @Override
    public void patchAll(Map<JsonNode, ObjectNode> patches) {
        Map<List<String>, List<Map.Entry<JsonNode, ObjectNode>>> byColumns = new LinkedHashMap<>();
        for (Map.Entry<JsonNode, ObjectNode> e : patches.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            List<String> cols = new ArrayList<>(new TreeSet<>(fieldNames(e.getValue())));
            byColumns.computeIfAbsent(Collections.unmodifiableList(cols), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<List<String>, List<Map.Entry<JsonNode, ObjectNode>>> group : byColumns.entrySet()) {
            List<String> cols = group.getKey();
            String q = "UPDATE " + Sql.quote(table.name()) + " SET "
                    + cols.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(", "))
                    + " WHERE " + Sql.quote(table.primaryKey()) + " = ?";
            try (PreparedStatement ps = connection.prepareStatement(q)) {
                for (Map.Entry<JsonNode, ObjectNode> e : group.getValue()) {
                    int i = 1;
                    for (String c : cols) {
                        sql.bind(ps, i++, e.getValue().get(c));
                    }
                    sql.bind(ps, i, e.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (SQLException e) {
                throw Sql.failure("cannot patch " + table.name() + " columns " + cols, e);
            }
        }
    }

    @Override
    public boolean recordLedger(LedgerEntry entry) {
        String q = "INSERT INTO " + JdbcStore.LEDGER
                + " (migration, run_id, segment, start_cursor, next_cursor, processed, done) VALUES (?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            ps.setString(1, entry.migration());
            ps.setString(2, entry.runId());
            ps.setInt(3, entry.segment());
            ps.setString(4, entry.cursor() == null ? "" : entry.cursor());
            ps.setString(5, entry.nextCursor());
            ps.setInt(6, entry.processed());
            ps.setBoolean(7, entry.done());
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                return false;
            }
            throw Sql.failure("cannot record the batch in the ledger", e);
        }
    }

    @Override
    public void commit() {
        try {
            connection.commit();
            committed = true;
        } catch (SQLException e) {
            throw Sql.failure("cannot commit the batch of " + table.name(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!committed) {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot roll back the batch of " + table.name(), e);
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                // the pool evicts a broken connection itself; nothing is lost here
                throw new StoreException("cannot return a connection to the pool: " + e.getMessage(), true, e);
            }
        }
    }

    static List<String> fieldNames(ObjectNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
