package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Excerpt;
import dev.keyway.migration.Db;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagePage;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.Page;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.RejectedValueException;
import dev.keyway.store.RestoreOutcome;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.RowImage;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.StoreException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
        for (Map.Entry<List<String>, List<Map.Entry<JsonNode, ObjectNode>>> group : byColumns.entrySet()) {
            List<String> cols = group.getKey();
            if (patchInStatements(cols, group.getValue(), types)) {
                continue;
            }
            String q = "UPDATE " + table.sqlName() + " SET "
                    + cols.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(", "))
                    + " WHERE " + table.keyCondition();
            try (PreparedStatement ps = connection.prepareStatement(q)) {
                for (Map.Entry<JsonNode, ObjectNode> e : group.getValue()) {
                    int i = 1;
                    for (String c : cols) {
                        bindColumn(ps, i++, types.get(c), e.getValue().get(c), e.getKey());
                    }
                    for (JsonNode v : table.keyValues(e.getKey())) {
                        sql.bind(ps, i++, v);
                    }
                    ps.addBatch();
                }
                executePatches(ps, cols, group.getValue());
            } catch (SQLException e) {
                throw sql.failure("cannot patch " + table.describe() + " columns " + cols, e);
            }
        }
        if (before != null) {
            images.patched(table, written, before);
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
     * is rolled back to a savepoint) and the caller patches the rows one statement each, which names the document
     * whose value the database refuses.
     */
    private boolean patchInStatements(List<String> cols, List<Map.Entry<JsonNode, ObjectNode>> rows, TableColumns types) {
        List<Column> set = cols.stream().map(types::get).toList();
        List<Column> key = table.key().stream().map(types::get).toList();
        if (rows.size() < 2 || set.contains(null) || key.contains(null)
                || set.stream().anyMatch(c -> c.kind() == Column.Kind.ARRAY)) {
            return false;
        }
        String arrays = sql.dialect().patchArrays(table, set, key);
        boolean cases = arrays == null && sql.dialect().patchCases(table, set, key, 1) != null
                && set.stream().allMatch(c -> CASE_KINDS.contains(c.kind()));
        if (arrays == null && !cases) {
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
                for (int from = 0; from < rows.size(); from += CASE_ROWS) {
                    patchByCases(set, key, rows.subList(from, Math.min(rows.size(), from + CASE_ROWS)));
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

    private void patchByCases(List<Column> set, List<Column> key, List<Map.Entry<JsonNode, ObjectNode>> rows)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.dialect().patchCases(table, set, key, rows.size()))) {
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
