package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.migration.Db;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagePage;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.Page;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.RestoreOutcome;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.RowImage;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One batch on one pooled connection; rolls back on close unless committed. */
final class JdbcBatchTransaction implements BatchTransaction {

    private final Connection connection;
    private final Sql sql;
    private final TableInfo table;
    private final KeyOrder order;
    private final JdbcDb db;
    private final JdbcStore store;
    private boolean committed;
    private Savepoint savepoint;
    /** The batch's before-images ({@link #keepImages}); null: none are kept. */
    private ImageRecorder images;
    private boolean closed;

    JdbcBatchTransaction(Connection connection, Sql sql, TableInfo table, KeyOrder order, JdbcStore store) {
        this.connection = connection;
        this.sql = sql;
        this.table = table;
        this.order = order;
        this.db = new JdbcDb(connection, sql, store);
        this.store = store;
    }

    @Override
    public List<String> primaryKey() {
        return table.key();
    }

    @Override
    public Optional<SegmentFence> lockFence(String migration, int segment) {
        try {
            return FenceTable.lock(connection, sql, migration, segment);
        } catch (SQLException e) {
            throw sql.failure("cannot lock the fence of " + migration + " segment " + segment + " (is "
                    + JdbcStore.FENCE + " created?)", e);
        }
    }

    @Override
    public BatchStart lockFenceAndFindLedger(BatchKey key) {
        if (!sql.dialect().sendsStatementsTogether()) {
            return BatchTransaction.super.lockFenceAndFindLedger(key);
        }
        try (PreparedStatement ps = connection.prepareStatement(FenceTable.lockQuery(sql) + "; " + LedgerTable.FIND)) {
            ps.setString(1, key.migration());
            ps.setInt(2, key.segment());
            LedgerTable.bindFind(ps, 3, key);
            ps.execute();
            Optional<SegmentFence> fence;
            try (ResultSet rs = ps.getResultSet()) {
                fence = FenceTable.locked(rs);
            }
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("the driver returned no ledger result after the fence's");
            }
            try (ResultSet rs = ps.getResultSet()) {
                return new BatchStart(fence, LedgerTable.found(rs, key));
            }
        } catch (SQLException e) {
            throw sql.failure("cannot lock the fence of " + key.migration() + " segment " + key.segment()
                    + " and read the ledger (are " + JdbcStore.FENCE + " and " + JdbcStore.LEDGER + " created?)", e);
        }
    }

    @Override
    public void advanceFence(String migration, int segment, String position, boolean done) {
        try {
            FenceTable.advance(connection, migration, segment, position, done);
        } catch (SQLException e) {
            throw sql.failure("cannot move the fence of " + migration + " segment " + segment, e);
        }
    }

    @Override
    public Optional<LedgerEntry> findLedger(BatchKey key) {
        return LedgerTable.find(connection, sql, key);
    }

    @Override
    public Page readPage(String cursor, String end, int limit) {
        // 1. the page's keys in walk order, without locks: its last key is where the next batch starts
        String keys = "SELECT " + order.selectColumns() + " FROM " + table.sqlName() + " WHERE "
                + order.where(cursor, end) + " ORDER BY " + order.orderBy() + " LIMIT ?";
        String last;
        int selected = 0;
        try (PreparedStatement ps = connection.prepareStatement(keys)) {
            ps.setInt(order.bind(sql, ps, 1, cursor, end), limit);
            ObjectNode lastKey = null;
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader rows = sql.rowReader(rs.getMetaData());
                while (rs.next()) {
                    selected++;
                    lastKey = rows.read(rs);
                }
            }
            if (selected == 0) {
                return new Page(List.of(), cursor, true);
            }
            last = order.cursorOf(lastKey);
        } catch (SQLException e) {
            throw sql.failure("cannot select a page of " + table.describe() + " after cursor " + cursor, e);
        }
        // 2. the rows in (cursor, last], locked; a row changed while we waited for it is checked again
        String rows = "SELECT * FROM " + table.sqlName() + " WHERE " + order.where(cursor, last)
                + " ORDER BY " + order.orderBy() + sql.dialect().forPageUpdate();
        try (PreparedStatement ps = connection.prepareStatement(rows)) {
            order.bind(sql, ps, 1, cursor, last);
            List<ObjectNode> page = new ArrayList<>(selected);
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader reader = sql.rowReader(rs.getMetaData());
                while (rs.next()) {
                    page.add(reader.read(rs));
                }
            }
            if (images != null) {
                images.rememberPage(table, page);
            }
            return new Page(page, last, selected < limit);
        } catch (SQLException e) {
            throw sql.failure("cannot read a page of " + table.describe() + " after cursor " + cursor, e);
        }
    }

    @Override
    public Page readPageWithoutLocks(String cursor, String end, int limit) {
        String q = "SELECT * FROM " + table.sqlName() + " WHERE " + order.where(cursor, end) + " ORDER BY "
                + order.orderBy() + " LIMIT ?";
        try (PreparedStatement ps = connection.prepareStatement(q)) {
            ps.setInt(order.bind(sql, ps, 1, cursor, end), limit);
            List<ObjectNode> page = new ArrayList<>(limit);
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader reader = sql.rowReader(rs.getMetaData());
                while (rs.next()) {
                    page.add(reader.read(rs));
                }
            }
            if (page.isEmpty()) {
                return new Page(List.of(), cursor, true);
            }
            return new Page(page, order.cursorOf(page.get(page.size() - 1)), page.size() < limit);
        } catch (SQLException e) {
            throw sql.failure("cannot read a page of " + table.describe() + " after cursor " + cursor, e);
        }
    }

    @Override
    public Page takeQuarantined(String migration, String cursor, int limit) {
        return take(DocumentList.QUARANTINE, migration, cursor, limit);
    }

    @Override
    public Page takeVerifyFindings(String migration, String cursor, int limit) {
        return take(DocumentList.VERIFY, migration, cursor, limit);
    }

    private Page take(DocumentList list, String migration, String cursor, int limit) {
        List<String> keys = list.keysAfter(connection, sql, migration, cursor, limit);
        if (keys.isEmpty()) {
            return new Page(List.of(), cursor, true);
        }
        List<JsonNode> ids = keys.stream().map(k -> Sql.parseJson(k, list.table() + ".doc_key")).toList();
        List<ObjectNode> docs = new ArrayList<>(selectByIds(ids, true).values());
        if (images != null) {
            images.rememberPage(table, docs);
        }
        list.release(connection, sql, migration, keys);
        return new Page(docs, keys.get(keys.size() - 1), keys.size() < limit);
    }

    @Override
    public Map<String, ObjectNode> readByIds(List<JsonNode> ids) {
        return selectByIds(ids, false);
    }

    private Map<String, ObjectNode> selectByIds(List<JsonNode> ids, boolean lock) {
        try {
            return RowsById.read(connection, sql, table, ids, lock);
        } catch (SQLException e) {
            throw sql.failure("cannot read documents of " + table.describe() + " by id", e);
        }
    }

    @Override
    public Db db() {
        return db;
    }

    @Override
    public void keepImages(BatchKey key) {
        if (images == null) {
            images = new ImageRecorder(key, connection, sql);
            db.keepImages(images);
        }
    }

    @Override
    public ImagePage readImages(String migration, String runId, String cursor, String end, int limit) {
        return ImagesTable.page(connection, sql, migration, runId, cursor, end, limit);
    }

    @Override
    public RestoreOutcome restore(RowImage image, boolean force) {
        return ImageRestore.restore(connection, sql, store, db, image, force);
    }

    @Override
    public void patchAll(Map<JsonNode, ObjectNode> patches) {
        Map<List<String>, List<Map.Entry<JsonNode, ObjectNode>>> byColumns = new LinkedHashMap<>();
        for (Map.Entry<JsonNode, ObjectNode> e : patches.entrySet()) {
            List<JsonNode> keyValues = table.keyValues(e.getKey());
            Set<String> cols = new TreeSet<>(fieldNames(e.getValue()));
            for (int k = 0; k < table.key().size(); k++) {
                String column = table.key().get(k);
                JsonNode patched = e.getValue().get(column);
                if (patched != null && !sameValue(patched, keyValues.get(k))) {
                    throw new StoreException("a patch must not change the primary key: document " + table.keyDescription()
                            + "=" + Db.idText(e.getKey()) + " of " + table.describe() + " was patched to " + column
                            + "=" + patched + "; the batch was rolled back. To re-key a row, insert the new one and"
                            + " delete the old with ctx.db() in migrateOne", null);
                }
                // an unchanged key column is not written (an identity key GENERATED ALWAYS refuses even its own value)
                cols.remove(column);
            }
            table.refuseGenerated(cols, "the patch of document " + table.keyDescription() + "="
                    + Db.idText(e.getKey()), "the batch was rolled back. Fix the migration, then run it again");
            if (cols.isEmpty()) {
                continue;
            }
            byColumns.computeIfAbsent(List.copyOf(cols), c -> new ArrayList<>()).add(e);
        }
        TableColumns types = byColumns.isEmpty() ? null : store.columnTypes(table, connection);
        List<JsonNode> written = new ArrayList<>();
        byColumns.values().forEach(group -> group.forEach(e -> written.add(e.getKey())));
        Map<String, String> before = images == null || written.isEmpty() ? null
                : images.beforePatches(table, written);
        PatchWriter writer = new PatchWriter(connection, sql, table);
        for (Map.Entry<List<String>, List<Map.Entry<JsonNode, ObjectNode>>> group : byColumns.entrySet()) {
            writer.write(group.getKey(), group.getValue(), types);
        }
        if (before != null) {
            images.patched(table, written, before);
        }
    }

    @Override
    public void savepoint() {
        try {
            savepoint = connection.setSavepoint("keyway_batch");
            if (images != null) {
                images.savepoint();
            }
        } catch (SQLException e) {
            throw sql.failure("cannot set a savepoint in the batch of " + table.describe(), e);
        }
    }

    @Override
    public void rollbackToSavepoint() {
        if (savepoint == null) {
            throw new IllegalStateException("no savepoint to roll back to: call savepoint() first");
        }
        try {
            connection.rollback(savepoint);
            if (images != null) {
                images.rollbackToSavepoint();
            }
        } catch (SQLException e) {
            throw sql.failure("cannot roll back to the savepoint in the batch of " + table.describe(), e);
        }
    }

    @Override
    public void quarantine(List<QuarantinedDocument> documents) {
        DocumentList.QUARANTINE.record(connection, sql, documents);
    }

    @Override
    public void recordUndoConflicts(List<QuarantinedDocument> conflicts) {
        DocumentList.UNDO_CONFLICTS.record(connection, sql, conflicts);
    }

    @Override
    public void recordVerifyFindings(List<QuarantinedDocument> documents) {
        DocumentList.VERIFY.record(connection, sql, documents);
    }

    @Override
    public boolean recordLedger(LedgerEntry entry) {
        return LedgerTable.record(connection, sql, entry);
    }

    @Override
    public boolean recordLedgerAndAdvance(LedgerEntry entry) {
        if (!sql.dialect().sendsStatementsTogether()) {
            return BatchTransaction.super.recordLedgerAndAdvance(entry);
        }
        BatchKey key = entry.key();
        try (PreparedStatement ps = connection.prepareStatement(LedgerTable.INSERT + "; " + FenceTable.ADVANCE)) {
            int next = LedgerTable.bind(ps, 1, entry);
            FenceTable.bindAdvance(ps, next, key.migration(), key.segment(), entry.nextCursor(), entry.done());
            ps.execute();
            return true;
        } catch (SQLException e) {
            if (sql.isDuplicateKey(e)) {
                return false;
            }
            throw sql.failure("cannot record the batch in the ledger and move the fence of " + key.migration()
                    + " segment " + key.segment(), e);
        }
    }

    @Override
    public void commit() {
        if (images != null) {
            images.flush();
        }
        try {
            connection.commit();
            committed = true;
        } catch (SQLException e) {
            throw sql.failure("cannot commit the batch of " + table.describe(), e);
        }
    }

    @Override
    public void abandon() {
        if (closed) {
            return;
        }
        closed = true;
        db.close();
        store.evict(connection);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // a migrateOne call still running (parallelize) must not use the connection once it is back in the pool
        db.close();
        try {
            if (!committed) {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw sql.failure("cannot roll back the batch of " + table.describe(), e);
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                // the pool evicts a broken connection itself; nothing is lost here
                throw new RetriableStoreException("cannot return a connection to the pool: " + e.getMessage(), e);
            }
        }
    }

    /** Equal as values: {@code 5} and {@code 5.0}, or the same text. */
    static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.asText().equals(b.asText());
    }

    static List<String> fieldNames(ObjectNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
