package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyway.store.DbTimeouts;
import dev.keyway.store.HealthProbe;
import dev.keyway.store.StoreException;
import java.sql.Array;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL, the production store: {@code pg_catalog} for tables (which also holds partitioned tables, whose parent
 * JDBC's metadata calls may not show), {@code pg_stat_replication} and {@code pg_stat_activity} for health, text
 * bound untyped so that each column's own input function parses it, arrays as array literals ({@link ArrayLiteral}).
 */
final class PostgresDialect extends Dialect {

    /** pgjdbc names an integer column whose default is a sequence serial, bigserial or smallserial: not types. */
    private static String castType(String typeName) {
        return switch (typeName) {
            case "serial" -> "int4";
            case "bigserial" -> "int8";
            case "smallserial" -> "int2";
            default -> typeName;
        };
    }

    /**
     * {@code UPDATE t AS t SET "c" = v.p1 FROM (SELECT CAST(u.p1 AS type) AS p1, ... FROM unnest(CAST(? AS text[]),
     * ...) AS u(p1, ...)) AS v WHERE t."k" = v.p2}: one statement for a page, whose text depends only on the columns,
     * so the driver prepares it once, with one text array a column (issue 20). Each element is cast to its column's
     * type, as a row's own {@code UPDATE} would have it.
     */
    @Override
    boolean sendsStatementsTogether() {
        return true; // pgjdbc splits the text and pipelines its statements
    }

    @Override
    String forPageUpdate() {
        return " FOR NO KEY UPDATE";
    }

    @Override
    String patchArrays(TableInfo table, List<Column> set, List<Column> key) {
        List<Column> all = new ArrayList<>(set);
        all.addAll(key);
        StringBuilder q = new StringBuilder("UPDATE ").append(table.sqlName()).append(" AS t SET ");
        for (int i = 0; i < set.size(); i++) {
            q.append(i == 0 ? "" : ", ").append(Sql.quote(set.get(i).name())).append(" = v.p").append(i + 1);
        }
        q.append(" FROM (SELECT ");
        for (int i = 0; i < all.size(); i++) {
            q.append(i == 0 ? "" : ", ").append("CAST(u.p").append(i + 1).append(" AS ")
                    .append(castType(all.get(i).typeName())).append(") AS p").append(i + 1);
        }
        q.append(" FROM unnest(");
        for (int i = 0; i < all.size(); i++) {
            q.append(i == 0 ? "" : ", ").append("CAST(? AS text[])");
        }
        q.append(") AS u(");
        for (int i = 0; i < all.size(); i++) {
            q.append(i == 0 ? "" : ", ").append('p').append(i + 1);
        }
        q.append(")) AS v WHERE ");
        for (int i = 0; i < key.size(); i++) {
            q.append(i == 0 ? "" : " AND ").append("t.").append(Sql.quote(key.get(i).name())).append(" = v.p")
                    .append(set.size() + i + 1);
        }
        return q.toString();
    }

    private static final Pattern BATCH_ENTRY = Pattern.compile("^Batch entry (\\d{1,9}) ");

    @Override
    String name() {
        return "PostgreSQL";
    }

    @Override
    String urlPrefix() {
        return "jdbc:postgresql:";
    }

    @Override
    Map<String, String> dataSourceProperties() {
        // ApplicationName: how the lock-wait health signal tells Keyway's sessions from the application's.
        // binaryTransfer: results as PostgreSQL's text. Once a statement is prepared on the server (its 5th run) the
        // driver would take some types in binary and print them itself, so a timestamptz or an array read as text
        // would change form between the first batches and the later ones (ColumnValues reads the text form)
        return Map.of("ApplicationName", HealthProbe.APPLICATION_NAME, "binaryTransfer", "false");
    }

    @Override
    String sessionSettings(DbTimeouts t) {
        return "SET lock_timeout = " + t.lock().toMillis() + "; SET statement_timeout = " + t.statement().toMillis()
                + "; SET idle_in_transaction_session_timeout = " + t.idleInTransaction().toMillis();
    }

    @Override
    String recordImages(int rows) {
        return "INSERT INTO " + JdbcStore.IMAGES + " (" + ImagesTable.COLUMNS + ") VALUES " + ImagesTable.values(rows, "?")
                + " ON CONFLICT (migration, run_id, image_id) DO UPDATE SET op = "
                + ImagesTable.mergedOp(JdbcStore.IMAGES + ".before_image", "EXCLUDED.after_hash")
                + ", after_hash = EXCLUDED.after_hash";
    }

    @Override
    Optional<String> transactionLockTimeout(long millis) {
        return Optional.of("SET LOCAL lock_timeout = " + millis);
    }

    // --- the catalog

    @Override
    TableInfo readTable(Connection c, TableName name, String url) throws SQLException {
        String find = "SELECT c.oid, n.nspname, c.relkind FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ? AND "
                + (name.schema() == null
                        ? "n.nspname = ANY (current_schemas(false)) ORDER BY array_position(current_schemas(false), n.nspname)"
                        : "n.nspname = ?")
                + " LIMIT 1";
        long oid;
        String schema;
        String kind;
        try (PreparedStatement ps = c.prepareStatement(find)) {
            ps.setString(1, name.table());
            if (name.schema() != null) {
                ps.setString(2, name.schema());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw TableCatalog.notFound(name, url, name.schema() != null ? List.of(name.schema()) : searchPath(c));
                }
                oid = rs.getLong(1);
                schema = rs.getString(2);
                kind = rs.getString(3);
            }
        }
        switch (kind) {
            case "r", "p", "f" -> { } // a table, a partitioned table (walked through its parent), a foreign table
            case "v", "m" -> throw TableCatalog.isView(name, kind.equals("m") ? "a materialized view" : "a view");
            default -> throw new StoreException("table " + name.describe() + " is not a table but " + kindName(kind)
                    + ": fix the migration's table name", null);
        }
        List<String> columns = new ArrayList<>();
        Set<String> generated = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, attgenerated, attidentity FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    // 's': GENERATED ALWAYS AS (..) STORED; 'a': GENERATED ALWAYS AS IDENTITY (BY DEFAULT, 'd', takes values)
                    if ("s".equals(rs.getString(2)) || "a".equals(rs.getString(3))) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        List<String> key;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_catalog.pg_constraint k"
                + " CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum"
                + " WHERE k.conrelid = ?::oid AND k.contype = 'p' ORDER BY u.ord")) {
            ps.setLong(1, oid);
            key = TableCatalog.names(ps);
        }
        return TableCatalog.checked(name, schema, columns, key, generated);
    }

    /** What a {@code pg_class.relkind} other than a table or a view is, for messages. */
    private static String kindName(String relkind) {
        return switch (relkind) {
            case "i", "I" -> "an index";
            case "S" -> "a sequence";
            case "c" -> "a composite type";
            case "t" -> "a TOAST table";
            default -> "a relation of kind " + relkind;
        };
    }

    private static List<String> searchPath(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_schemas(false)"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            Array a = rs.getArray(1);
            List<String> schemas = new ArrayList<>();
            for (Object s : (Object[]) a.getArray()) {
                schemas.add(String.valueOf(s));
            }
            return schemas;
        }
    }

    @Override
    Optional<String> rowSample(double percent) {
        return Optional.of("TABLESAMPLE BERNOULLI (" + String.format(Locale.ROOT, "%.4f", percent) + ")");
    }

    // --- health: a reading PostgreSQL hides from a role without pg_read_all_stats (pg_monitor) throws, never 0

    /** PostgreSQL's primary knows how far each standby has replayed: the configured replicas are not needed. */
    @Override
    Optional<Reading> replicaLag(ReplicaServers replicas) {
        return Optional.of(PostgresDialect::replicaLagBytes);
    }

    @Override
    Optional<Reading> lockWait() {
        return Optional.of(PostgresDialect::lockWaitMillis);
    }

    private static long replicaLagBytes(Connection c) throws SQLException {
        // without pg_read_all_stats (pg_monitor) PostgreSQL shows a standby's row with NULL LSNs, not an error
        String q = "SELECT MAX(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), COUNT(*),"
                + " pg_has_role('pg_read_all_stats', 'USAGE') FROM pg_stat_replication";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            rs.next();
            long lag = rs.getLong(1);
            long standbys = rs.getLong(2);
            boolean allowed = rs.getBoolean(3);
            if (standbys > 0 && !allowed) {
                throw new StoreException("no permission to read pg_stat_replication's LSNs (grant pg_monitor)", null);
            }
            return lag;
        }
    }

    private static long lockWaitMillis(Connection c) throws SQLException {
        // pg_blocking_pids and application_name are public; another role's wait (query_start, wait_event) is NULL
        // without pg_read_all_stats (pg_monitor): such a waiting session makes the wait unknown, not 0
        String q = "SELECT MAX(EXTRACT(EPOCH FROM (clock_timestamp() - w.query_start)) * 1000)"
                + " FILTER (WHERE w.wait_event_type = 'Lock'),"
                + " COUNT(*) FILTER (WHERE NOT (pg_has_role('pg_read_all_stats', 'USAGE')"
                + " OR pg_has_role(w.usesysid, 'USAGE')))"
                + " FROM pg_stat_activity w WHERE w.application_name <> ?"
                + " AND EXISTS (SELECT 1 FROM pg_stat_activity k WHERE k.pid = ANY (pg_blocking_pids(w.pid))"
                + " AND k.application_name = ?)";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, HealthProbe.APPLICATION_NAME);
            ps.setString(2, HealthProbe.APPLICATION_NAME);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long wait = rs.getLong(1);
                long hidden = rs.getLong(2);
                if (hidden > 0) {
                    throw new StoreException("no permission to read how long " + hidden + " session(s) of other roles"
                            + " waiting on Keyway's locks have waited: pg_stat_activity hides their wait events"
                            + " (grant pg_monitor)", null);
                }
                return wait;
            }
        }
    }

    // --- values: text goes untyped, so PostgreSQL infers the parameter's type (text, uuid, timestamp, enum, ..)

    @Override
    void bindText(PreparedStatement ps, int index, String text) throws SQLException {
        ps.setObject(index, text, Types.OTHER);
    }

    @Override
    void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        ps.setObject(index, json, Types.OTHER);
    }

    @Override
    void bindArray(PreparedStatement ps, int index, Column column, JsonNode array) throws SQLException {
        // the array literal, untyped: PostgreSQL parses it with the column's own element type
        String literal;
        try {
            literal = ArrayLiteral.format(array, column.delimiter(), column.element() == Column.Kind.JSON);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("column " + column.describe() + ": " + e.getMessage(), e);
        }
        ps.setObject(index, literal, Types.OTHER);
    }

    @Override
    JsonNode readArray(ResultSet rs, int index, Column column) throws SQLException {
        // its text form, not getArray(), which converts elements by itself (and fails on a NaN numeric)
        String text = rs.getString(index);
        if (text == null) {
            return null;
        }
        try {
            return ArrayLiteral.parse(text, column.delimiter(), e -> ColumnValues.fromText(e, column.element(), column.name()));
        } catch (RuntimeException e) {
            throw new StoreException("cannot read column " + column.describe() + ": " + e.getMessage(), e);
        }
    }

    // --- errors

    @Override
    Failure classify(SQLException e) {
        String state = state(e);
        return switch (state) {
            case "55P03" -> Failure.LOCK_TIMEOUT; // lock_not_available
            case "57014" -> Failure.STATEMENT_TIMEOUT; // query_canceled
            case "25P03" -> Failure.IDLE_SESSION_ENDED; // idle_in_transaction_session_timeout
            case "23505" -> Failure.DUPLICATE_KEY;
            // processes starting together race on IF NOT EXISTS: the loser sees the table or its row type as a duplicate
            case "42P07", "42710" -> Failure.ALREADY_CREATED;
            default -> isTransient(e) || state.startsWith("57P") ? Failure.RETRIABLE : Failure.OTHER;
        };
    }

    @Override
    boolean isRejectedValue(SQLException e) {
        return super.isRejectedValue(e) || state(e).equals("42804"); // datatype_mismatch
    }

    /**
     * PostgreSQL's driver marks every update of a failed batch as failed, and names the refused one only in its
     * message ("Batch entry 2 UPDATE ... was aborted"): -1 when the message does not say (a translated message).
     */
    @Override
    int failedBatchEntry(BatchUpdateException e) {
        Matcher m = BATCH_ENTRY.matcher(String.valueOf(e.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
