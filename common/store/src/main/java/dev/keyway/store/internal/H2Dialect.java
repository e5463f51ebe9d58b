package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyway.store.DbTimeouts;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * H2, the embedded default and the unit tests' database: {@code INFORMATION_SCHEMA} for tables, no standbys and no
 * lock-wait view (both readings are 0), no row sample (split points are counted exactly), arrays as
 * {@code java.sql.Array} of Java objects that H2 converts to the element type.
 */
final class H2Dialect extends Dialect {

    @Override
    String patchCases(TableInfo table, List<Column> set, List<Column> key, int rows) {
        return caseStatement(table, set, key, rows);
    }

    @Override
    String name() {
        return "H2";
    }

    @Override
    String urlPrefix() {
        return "jdbc:h2:";
    }

    /** H2 has no idle-in-transaction timeout. */
    @Override
    String sessionSettings(DbTimeouts t) {
        return "SET LOCK_TIMEOUT " + t.lock().toMillis() + "; SET QUERY_TIMEOUT " + t.statement().toMillis();
    }

    /** H2's {@code SET LOCK_TIMEOUT} is the session's: a fence write waits the session's lock timeout. */
    @Override
    Optional<String> transactionLockTimeout(long millis) {
        return Optional.empty();
    }

    /** The SQL standard's {@code MERGE}: H2 has no {@code ON CONFLICT}; its parameters need their types here. */
    @Override
    String recordImages(int rows) {
        return "MERGE INTO " + JdbcStore.IMAGES + " i USING (VALUES " + ImagesTable.values(rows, "CAST(? AS VARCHAR(200)),"
                + " CAST(? AS VARCHAR(64)), CAST(? AS BYTEA), CAST(? AS INT), CAST(? AS VARCHAR(400)),"
                + " CAST(? AS VARCHAR(4000)), CAST(? AS VARCHAR(6)), CAST(? AS TEXT), CAST(? AS BYTEA)")
                + ") s (" + ImagesTable.COLUMNS + ") ON i.migration = s.migration AND i.run_id = s.run_id AND i.image_id = s.image_id"
                + " WHEN MATCHED THEN UPDATE SET op = " + ImagesTable.mergedOp("i.before_image", "s.after_hash")
                + ", after_hash = s.after_hash WHEN NOT MATCHED THEN INSERT (" + ImagesTable.COLUMNS + ") VALUES ("
                + ImagesTable.COLUMNS.replaceAll("(\\w+)", "s.$1") + ")";
    }

    @Override
    TableInfo readTable(Connection c, TableName name, String url) throws SQLException {
        String schema = name.schema();
        if (schema == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT CURRENT_SCHEMA"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                schema = rs.getString(1);
            }
        }
        String type;
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw TableCatalog.notFound(name, url, List.of(schema));
                }
                type = rs.getString(1);
            }
        }
        if ("VIEW".equals(type)) {
            throw TableCatalog.isView(name, "a view");
        }
        List<String> columns = new ArrayList<>();
        Set<String> generated = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, IS_GENERATED, IS_IDENTITY, IDENTITY_GENERATION"
                + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    if ("ALWAYS".equals(rs.getString(2))
                            || ("YES".equals(rs.getString(3)) && "ALWAYS".equals(rs.getString(4)))) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        List<String> key;
        try (PreparedStatement ps = c.prepareStatement("SELECT u.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS t"
                + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE u ON u.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA"
                + " AND u.CONSTRAINT_NAME = t.CONSTRAINT_NAME WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?"
                + " AND t.CONSTRAINT_TYPE = 'PRIMARY KEY' ORDER BY u.ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            key = TableCatalog.names(ps);
        }
        return TableCatalog.checked(name, schema, columns, key, generated);
    }

    @Override
    Optional<String> rowSample(double percent) {
        return Optional.empty();
    }

    @Override
    Optional<Reading> replicaLag(ReplicaServers replicas) {
        return Optional.empty();
    }

    @Override
    Optional<Reading> lockWait() {
        return Optional.empty();
    }

    @Override
    void bindText(PreparedStatement ps, int index, String text) throws SQLException {
        ps.setString(index, text);
    }

    /** H2 reads a string as a JSON string, and bytes as JSON text. */
    @Override
    void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        ps.setBytes(index, json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    void bindArray(PreparedStatement ps, int index, Column column, JsonNode array) throws SQLException {
        ps.setObject(index, ColumnValues.toJava(array, column));
    }

    @Override
    JsonNode readArray(ResultSet rs, int index, Column column) throws SQLException {
        Array array = rs.getArray(index);
        if (array == null) {
            return null;
        }
        try {
            return ColumnValues.fromJava((Object[]) array.getArray());
        } finally {
            array.free();
        }
    }

    @Override
    Failure classify(SQLException e) {
        String state = state(e);
        return switch (state) {
            case "HYT00" -> Failure.LOCK_TIMEOUT; // "timeout trying to lock table"
            case "57014" -> Failure.STATEMENT_TIMEOUT; // "statement was canceled or the session timed out"
            case "23505" -> Failure.DUPLICATE_KEY;
            // the database closed under an AUTO_SERVER client (its host process let go), connection broken
            case "90098", "90067" -> Failure.RETRIABLE;
            default -> isTransient(e) ? Failure.RETRIABLE : Failure.OTHER;
        };
    }
}
