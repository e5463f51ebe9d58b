package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyway.store.DbTimeouts;
import dev.keyway.store.StoreException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * MariaDB (10.6 and later; InnoDB tables), a production store: {@code information_schema} for tables, errors told
 * apart by their vendor codes (MariaDB shares SQLState HY000 among most of them), the replication lag read on the
 * replicas the configuration names ({@link MariaDbHealth}), no arrays, no row sample (split points are counted
 * exactly). docs/MARIADB.md records what the servers and the driver said that this class relies on.
 */
final class MariaDbDialect extends Dialect {

    /** Values a column refused: truncated, out of range, invalid, too long, NULL, a CHECK (a JSON column's json_valid). */
    private static final Set<Integer> REJECTED_VALUE = Set.of(1048, 1264, 1265, 1292, 1366, 1367, 1406, 1411, 1690, 4025);
    /** The connection was lost, killed or refused for now, the server shuts down, a table changed under the transaction. */
    private static final Set<Integer> PASSING = Set.of(1040, 1053, 1412, 1927, 2006, 2013);

    @Override
    String patchCases(TableInfo table, List<Column> set, List<Column> key, int rows) {
        return caseStatement(table, set, key, rows);
    }

    @Override
    String name() {
        return "MariaDB";
    }

    /**
     * Only {@code jdbc:mariadb:}: driver 3 takes {@code jdbc:mysql:} URLs only with {@code permitMysqlScheme}, and
     * Keyway ships no MySQL driver.
     */
    @Override
    String urlPrefix() {
        return "jdbc:mariadb:";
    }

    /**
     * One {@code SET} (the driver runs one statement at a time): {@code ANSI_QUOTES} for the store's double-quoted
     * identifiers and strict mode, so that a value a column cannot hold fails the batch rather than being cut, added to
     * the server's modes; UTC for {@code TIMESTAMP} columns, so a document shows and writes them the same whatever the
     * server's zone; the timeouts, in MariaDB's units: a lock wait in whole seconds (rounded up, 1 at least), a
     * statement in seconds with a fraction, an idle transaction in whole seconds. The isolation level is the pool's
     * ({@link #isolation}).
     */
    @Override
    String sessionSettings(DbTimeouts t) {
        return "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES', 'STRICT_TRANS_TABLES'),"
                + " time_zone = '+00:00', innodb_lock_wait_timeout = " + seconds(t.lock().toMillis())
                + ", max_statement_time = " + String.format(Locale.ROOT, "%.3f", t.statement().toMillis() / 1000.0)
                + ", idle_transaction_timeout = " + seconds(t.idleInTransaction().toMillis());
    }

    /**
     * READ COMMITTED, as on PostgreSQL, not InnoDB's default REPEATABLE READ: there a batch's locking read of its page
     * ({@code SELECT ... FOR UPDATE}) takes next-key (gap) locks, and the application's inserts of new keys anywhere in
     * the page's range, and just past it, wait for the whole batch (PageLocksIT; docs/MARIADB.md, "Batch isolation").
     * Nothing in a batch needs REPEATABLE READ's snapshot: the fence is read locked and the page's rows too (both
     * current reads at any level), the ledger's row is read after the fence's lock is held and its insert fails on the
     * unique key whatever the level; the split points set REPEATABLE READ for their own transaction.
     */
    @Override
    Optional<String> isolation() {
        return Optional.of("TRANSACTION_READ_COMMITTED");
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    /**
     * Empty: {@code innodb_lock_wait_timeout} is the session's and would outlive the transaction on the pooled
     * connection; the coordinator's writes say their wait in the row-lock clause instead ({@link #forUpdateWaiting}).
     */
    @Override
    Optional<String> transactionLockTimeout(long millis) {
        return Optional.empty();
    }

    @Override
    String forUpdateWaiting(long millis) {
        return " FOR UPDATE WAIT " + seconds(millis);
    }

    /**
     * InnoDB indexes at most 3,072 bytes of a key, and the ledger's key holds a cursor of up to 4,000 characters (16,000
     * bytes in utf8mb4). The ledger's uniqueness, on which exactly once rests (a second worker's insert of the same
     * batch must fail with a duplicate key), is therefore kept on the SHA-256 of the cursor: a stored generated column
     * in a unique key with the batch's other key columns; two different cursors with one hash are not to be met (2^-128).
     * A prefix of the cursor indexes the lookups and the ledger's chain ({@code start_cursor = ?}); a prefix alone
     * would not be unique. A generated column may not be in a primary key, so the ledger's is a number of its own.
     * Every bookkeeping table compares text byte for byte ({@code utf8mb4_nopad_bin}): the server's default collation
     * is case-insensitive and ignores trailing spaces, which would make the cursors {@code ["a"]} and {@code ["A"]} (or
     * two migrations' names) one key.
     */
    @Override
    Map<String, String> bookkeepingTables() {
        String table = " ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin";
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put(JdbcStore.LEDGER, "CREATE TABLE IF NOT EXISTS " + JdbcStore.LEDGER + " ("
                + "entry BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                + "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, segment INT NOT NULL, "
                + "start_cursor VARCHAR(4000) NOT NULL, "
                + "start_cursor_sha256 BINARY(32) AS (UNHEX(SHA2(start_cursor, 256))) STORED, "
                + "next_cursor VARCHAR(4000), processed INT NOT NULL, "
                + "done BOOLEAN NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, "
                + "UNIQUE KEY keyway_ledger_batch (migration, run_id, segment, start_cursor_sha256), "
                + "KEY keyway_ledger_chain (migration, run_id, segment, start_cursor(255)))" + table);
        tables.put(JdbcStore.FENCE, "CREATE TABLE IF NOT EXISTS " + JdbcStore.FENCE + " ("
                + "migration VARCHAR(200) NOT NULL, segment INT NOT NULL, run_id VARCHAR(64) NOT NULL, "
                + "position VARCHAR(4000), end_cursor VARCHAR(4000), batch_size INT NOT NULL, state VARCHAR(8) NOT NULL, "
                + "updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, PRIMARY KEY (migration, segment))" + table);
        tables.put(JdbcStore.DATABASE, "CREATE TABLE IF NOT EXISTS " + JdbcStore.DATABASE + " (singleton INT PRIMARY KEY"
                + " CHECK (singleton = 1), id VARCHAR(36) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)"
                + table);
        tables.put(JdbcStore.COORDINATOR, "CREATE TABLE IF NOT EXISTS " + JdbcStore.COORDINATOR + " (coordinator_group"
                + " VARCHAR(255) PRIMARY KEY, epoch BIGINT NOT NULL, taken_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)"
                + table);
        tables.put(JdbcStore.QUARANTINE, "CREATE TABLE IF NOT EXISTS " + JdbcStore.QUARANTINE + " ("
                + "entry BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, " + QUARANTINE_COLUMNS
                + ", KEY keyway_quarantine_key (migration, run_id, doc_key(255)))" + table);
        tables.put(JdbcStore.VERIFY, "CREATE TABLE IF NOT EXISTS " + JdbcStore.VERIFY + " ("
                + "entry BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, " + VERIFY_COLUMNS
                + ", KEY keyway_verify_key (migration, run_id, doc_key(255)))" + table);
        tables.put(JdbcStore.UNDO_CONFLICTS, "CREATE TABLE IF NOT EXISTS " + JdbcStore.UNDO_CONFLICTS + " ("
                + "entry BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, " + UNDO_CONFLICTS_COLUMNS
                + ", KEY keyway_undo_conflicts_key (migration, run_id, doc_key(255)))" + table);
        tables.put(JdbcStore.IMAGES, "CREATE TABLE IF NOT EXISTS " + JdbcStore.IMAGES + " ("
                + imagesColumns("BINARY(32)", "LONGTEXT") + ", PRIMARY KEY (migration, run_id, image_id))" + table);
        return tables;
    }

    /** MariaDB's {@code ON DUPLICATE KEY UPDATE}; {@code VALUES(c)} is the value the insert gave column c. */
    @Override
    String recordImages(int rows) {
        return "INSERT INTO " + JdbcStore.IMAGES + " (" + ImagesTable.COLUMNS + ") VALUES " + ImagesTable.values(rows, "?")
                + " ON DUPLICATE KEY UPDATE op = " + ImagesTable.mergedOp("before_image", "VALUES(after_hash)")
                + ", after_hash = VALUES(after_hash)";
    }

    /** No MariaDB column is {@code GENERATED ALWAYS AS IDENTITY}: an {@code AUTO_INCREMENT} key takes a given value. */
    @Override
    String overridingSystemValue() {
        return "";
    }

    /** MariaDB compares row values but scans the whole index for one: cursors are compared column by column. */
    @Override
    boolean indexesRowComparisons() {
        return false;
    }

    // --- the catalog

    /**
     * {@code information_schema}, whose names compare case-insensitively: the table's name is compared as bytes, as
     * MariaDB resolves it on Linux. A name without a schema is in the connection's database.
     */
    @Override
    TableInfo readTable(Connection c, TableName name, String url) throws SQLException {
        String schema = name.schema();
        if (schema == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT DATABASE()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                schema = rs.getString(1);
            }
            if (schema == null) {
                throw new StoreException("table " + name.describe() + ": the JDBC URL " + url + " names no database;"
                        + " name it (jdbc:mariadb://host:3306/database) or write database.table", null);
            }
        }
        String where = " WHERE TABLE_SCHEMA = ? AND BINARY TABLE_NAME = BINARY ?";
        String type;
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_TYPE FROM information_schema.TABLES" + where)) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw TableCatalog.notFound(name, url, List.of(schema));
                }
                type = rs.getString(1);
            }
        }
        switch (type) {
            case "BASE TABLE", "SYSTEM VERSIONED" -> { }
            case "VIEW" -> throw TableCatalog.isView(name, "a view");
            default -> throw new StoreException("table " + name.describe() + " is not a table but a " + type
                    + ": fix the migration's table name", null);
        }
        List<String> columns = new ArrayList<>();
        Set<String> generated = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS" + where
                + " ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    // VIRTUAL and STORED (PERSISTENT) generated columns refuse a value (error 1906 in strict mode)
                    if (String.valueOf(rs.getString(2)).toUpperCase(Locale.ROOT).endsWith(" GENERATED")) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        List<String> key;
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.STATISTICS" + where
                + " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX")) {
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

    // --- health (MariaDbHealth): a reading the user may not see throws, never 0

    @Override
    Optional<Reading> replicaLag(ReplicaServers replicas) {
        return Optional.of(c -> MariaDbHealth.replicaLagBytes(c, replicas));
    }

    @Override
    Optional<Reading> lockWait() {
        return Optional.of(MariaDbHealth::lockWaitMillis);
    }

    // --- values: text and JSON as strings, which MariaDB converts to the column's type

    /** The driver says {@code BIT} for a {@code BIT(n)} wider than 1, whose value is bytes (a {@code BIT(1)} is a boolean). */
    @Override
    Column column(ResultSetMetaData md, int index) throws SQLException {
        if (md.getColumnType(index) == Types.BIT && "BIT".equalsIgnoreCase(md.getColumnTypeName(index))) {
            return new Column(md.getColumnLabel(index), md.getColumnTypeName(index), Column.Kind.BINARY, null);
        }
        return Column.of(md, index);
    }

    @Override
    void bindText(PreparedStatement ps, int index, String text) throws SQLException {
        ps.setString(index, text);
    }

    /** A JSON column is {@code LONGTEXT} with a {@code json_valid} check: the JSON text itself. */
    @Override
    void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        ps.setString(index, json);
    }

    @Override
    void bindArray(PreparedStatement ps, int index, Column column, JsonNode array) {
        throw new IllegalArgumentException("column " + column.describe() + ": MariaDB has no array columns");
    }

    @Override
    JsonNode readArray(ResultSet rs, int index, Column column) {
        throw new StoreException("column " + column.describe() + ": MariaDB has no array columns", null);
    }

    // --- errors: by vendor code; 1205 and most others share SQLState HY000

    /**
     * A lock wait timeout (1205) ends the statement only, and leaves the transaction open with what it did before
     * ({@code innodb_rollback_on_timeout} is off by default): the batch rolls back on it, as on every failure.
     */
    @Override
    Failure classify(SQLException e) {
        return switch (e.getErrorCode()) {
            case 1205 -> Failure.LOCK_TIMEOUT; // Lock wait timeout exceeded
            case 1969 -> Failure.STATEMENT_TIMEOUT; // max_statement_time exceeded (SQLState 70100)
            case 1213 -> Failure.RETRIABLE; // deadlock (40001)
            case 1062 -> Failure.DUPLICATE_KEY;
            case 1050 -> Failure.ALREADY_CREATED;
            default -> isTransient(e) || PASSING.contains(e.getErrorCode()) ? Failure.RETRIABLE : Failure.OTHER;
        };
    }

    /**
     * The driver runs every update of a batch and marks the refused one {@code EXECUTE_FAILED} in the update counts
     * ({@code [1, 1, -3, 1]}); -1 when none is marked.
     */
    @Override
    int failedBatchEntry(BatchUpdateException e) {
        int[] counts = e.getUpdateCounts();
        for (int i = 0; counts != null && i < counts.length; i++) {
            if (counts[i] == Statement.EXECUTE_FAILED) {
                return i;
            }
        }
        return -1;
    }

    /** Strict mode's refusals: some carry SQLState 01000 (1265, data truncated) or HY000. */
    @Override
    boolean isRejectedValue(SQLException e) {
        return super.isRejectedValue(e) || REJECTED_VALUE.contains(e.getErrorCode());
    }
}
