package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyway.store.DbTimeouts;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything Keyway says differently to one database: its sessions' settings and driver properties, how a
 * transaction waits less for a lock, its catalog (a table's key, columns and generated columns), its health
 * readings, how a sample of rows is taken, how text, JSON and arrays are bound and arrays read, and what its errors
 * mean. One instance per database, stateless and thread-safe, chosen once per store from the JDBC URL
 * ({@link #of}); a database is supported when its dialect is in {@link #SUPPORTED} (docs/CONTRIBUTING.md, "Adding a
 * database").
 *
 * <p>The abstract methods are what every dialect must say. The others are the SQL that PostgreSQL and H2 share; a
 * dialect overrides one only where its database differs (the bookkeeping tables' DDL, the row-lock clause, which
 * failed update of a JDBC batch was refused). What no dialect can change, because it is written once for all: ANSI
 * double-quoted identifiers ({@link Sql#quote}: a database that quotes otherwise must accept them, MariaDB with
 * {@code sql_mode} {@code ANSI_QUOTES} in {@link #sessionSettings}), row-value comparisons ({@code (a, b) > (?, ?)}),
 * {@code LIMIT ?} and {@code LIMIT 1 OFFSET ?}, {@code WITH RECURSIVE}, REPEATABLE READ for one snapshot.
 */
abstract class Dialect {

    /** The databases Keyway supports, tried in this order against a JDBC URL. */
    private static final List<Dialect> SUPPORTED = List.of(new PostgresDialect(), new MariaDbDialect(), new H2Dialect());

    /** The dialect of the database at {@code jdbcUrl}; an {@link IllegalArgumentException} for an unsupported one. */
    static Dialect of(String jdbcUrl) {
        return SUPPORTED.stream().filter(d -> jdbcUrl.startsWith(d.urlPrefix())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("jdbcUrl must be a " + supported() + " URL"));
    }

    static boolean supports(String jdbcUrl) {
        return SUPPORTED.stream().anyMatch(d -> jdbcUrl.startsWith(d.urlPrefix()));
    }

    /** The supported databases for messages: {@code PostgreSQL (jdbc:postgresql:..), MariaDB (..) or H2 (jdbc:h2:..)}. */
    static String supported() {
        List<String> names = SUPPORTED.stream().map(d -> d.name() + " (" + d.urlPrefix() + "..)").toList();
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /** How the database is named in messages: {@code PostgreSQL}. */
    abstract String name();

    /** What its JDBC URLs start with: {@code jdbc:postgresql:}. */
    abstract String urlPrefix();

    // --- connections

    /** Properties of the driver for every pooled connection (HikariCP's {@code dataSourceProperties}); none by default. */
    Map<String, String> dataSourceProperties() {
        return Map.of();
    }

    /**
     * The statements run once on every new connection of the pool ({@code connectionInitSql}, committed): the lock,
     * statement and, where the database has one, idle-in-transaction timeouts of {@link DbTimeouts}.
     */
    abstract String sessionSettings(DbTimeouts timeouts);

    /**
     * The isolation level of the pool's transactions, batches among them (HikariCP's {@code transactionIsolation}: set on
     * every new connection, and set again on a connection returned after a transaction that changed it, such as the
     * split points' REPEATABLE READ), as a {@code java.sql.Connection} constant's name; empty: the database's default,
     * READ COMMITTED on PostgreSQL and H2. A level set by {@link #sessionSettings} would not hold: the pool reads its
     * default before those run, and restores that default after the split points.
     */
    Optional<String> isolation() {
        return Optional.empty();
    }

    /**
     * The statement that makes the current transaction wait at most {@code millis} for a row lock, whatever the
     * session's lock timeout (the coordinator's fence write waits for the batches in flight); empty when the
     * database cannot set it for one transaction, and the session's timeout applies.
     */
    abstract Optional<String> transactionLockTimeout(long millis);

    // --- the bookkeeping tables (docs/ARCHITECTURE.md: the fence, the ledger, the database's id, the epochs)

    /** {@code CREATE TABLE IF NOT EXISTS} of each bookkeeping table, by table name, in the order they are made. */
    Map<String, String> bookkeepingTables() {
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put(JdbcStore.LEDGER, "CREATE TABLE IF NOT EXISTS " + JdbcStore.LEDGER + " ("
                + "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, segment INT NOT NULL, "
                + "start_cursor VARCHAR(4000) NOT NULL, next_cursor VARCHAR(4000), processed INT NOT NULL, "
                + "done BOOLEAN NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, "
                + "PRIMARY KEY (migration, run_id, segment, start_cursor))");
        tables.put(JdbcStore.FENCE, "CREATE TABLE IF NOT EXISTS " + JdbcStore.FENCE + " ("
                + "migration VARCHAR(200) NOT NULL, segment INT NOT NULL, run_id VARCHAR(64) NOT NULL, "
                + "position VARCHAR(4000), end_cursor VARCHAR(4000), batch_size INT NOT NULL, state VARCHAR(8) NOT NULL, "
                + "updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, PRIMARY KEY (migration, segment))");
        tables.put(JdbcStore.DATABASE, "CREATE TABLE IF NOT EXISTS " + JdbcStore.DATABASE + " (singleton INT PRIMARY KEY"
                + " CHECK (singleton = 1), id VARCHAR(36) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
        tables.put(JdbcStore.COORDINATOR, "CREATE TABLE IF NOT EXISTS " + JdbcStore.COORDINATOR + " (coordinator_group"
                + " VARCHAR(255) PRIMARY KEY, epoch BIGINT NOT NULL, taken_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
        tables.put(JdbcStore.QUARANTINE, "CREATE TABLE IF NOT EXISTS " + JdbcStore.QUARANTINE + " ("
                + QUARANTINE_COLUMNS + ", PRIMARY KEY (migration, run_id, doc_key))");
        tables.put(JdbcStore.VERIFY, "CREATE TABLE IF NOT EXISTS " + JdbcStore.VERIFY + " ("
                + VERIFY_COLUMNS + ", PRIMARY KEY (migration, run_id, doc_key))");
        tables.put(JdbcStore.UNDO_CONFLICTS, "CREATE TABLE IF NOT EXISTS " + JdbcStore.UNDO_CONFLICTS + " ("
                + UNDO_CONFLICTS_COLUMNS + ", PRIMARY KEY (migration, run_id, doc_key))");
        tables.put(JdbcStore.IMAGES, "CREATE TABLE IF NOT EXISTS " + JdbcStore.IMAGES + " (" + imagesColumns("BYTEA", "TEXT")
                + ", PRIMARY KEY (migration, run_id, image_id))");
        return tables;
    }

    /**
     * The columns of {@code keyway_images} (docs/CONTRACTS.md), with the database's types for 32 bytes and for a
     * before-image's JSON of any length. The primary key, (migration, run_id, image_id), is the walk's index.
     */
    static String imagesColumns(String hashType, String jsonType) {
        return "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, image_id " + hashType + " NOT NULL, "
                + "segment INT NOT NULL, table_name VARCHAR(400) NOT NULL, doc_key VARCHAR(4000) NOT NULL, "
                + "op VARCHAR(6) NOT NULL, before_image " + jsonType + ", after_hash " + hashType + ", "
                + "recorded_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL";
    }

    /**
     * The statement that records {@code rows} before-images, with the parameters of {@link ImagesTable#COLUMNS} in that
     * order for each ({@link ImagesTable#values}): an insert of several rows, which for an image the run has already (the
     * same migration, run and image id: a row an earlier batch changed) keeps that image's before-image and segment and
     * takes the new after-hash and the op of both ({@link ImagesTable#mergedOp}). A statement never holds two images of
     * one id.
     */
    abstract String recordImages(int rows);

    /**
     * What follows the column list of an {@code INSERT} that gives a value to a column the database generates
     * ({@code GENERATED ALWAYS AS IDENTITY}): an undo re-inserts a deleted row with its own key. The SQL standard's
     * {@code OVERRIDING SYSTEM VALUE}, which PostgreSQL and H2 take; empty where no key can be generated that way.
     */
    String overridingSystemValue() {
        return " OVERRIDING SYSTEM VALUE";
    }

    /** The columns of {@code keyway_quarantine} (docs/CONTRACTS.md). */
    static final String QUARANTINE_COLUMNS = "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, "
            + "segment INT NOT NULL, doc_key VARCHAR(2000) NOT NULL, error TEXT NOT NULL, document TEXT, "
            + "quarantined_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL";

    /** The columns of {@code keyway_verify} (docs/CONTRACTS.md). */
    static final String VERIFY_COLUMNS = "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, "
            + "segment INT NOT NULL, doc_key VARCHAR(2000) NOT NULL, would_change TEXT NOT NULL, document TEXT, "
            + "found_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL";

    /**
     * The columns of {@code keyway_undo_conflicts} (docs/CONTRACTS.md): one row per row an undo left as it is; its
     * {@code doc_key} is the table and the key ({@code "public"."items" 42}), since rows of several tables may share a key.
     */
    static final String UNDO_CONFLICTS_COLUMNS = "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, "
            + "segment INT NOT NULL, doc_key VARCHAR(2000) NOT NULL, conflict TEXT NOT NULL, document TEXT, "
            + "found_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL";

    /**
     * Changes to bookkeeping tables that an earlier version made, run after {@link #bookkeepingTables()}: by the query
     * that answers once the change is made (then it is not run: a role that does not own the table may not alter it
     * even to change nothing), the change.
     */
    Map<String, String> bookkeepingChanges() {
        return Map.of("SELECT quarantined FROM " + JdbcStore.LEDGER + " WHERE 1 = 0",
                "ALTER TABLE " + JdbcStore.LEDGER + " ADD COLUMN IF NOT EXISTS quarantined INT DEFAULT 0 NOT NULL");
    }

    /** Names the database {@code id} unless it has a name already (an insert that inserts nothing then). */
    String nameDatabase(String id) {
        return "INSERT INTO " + JdbcStore.DATABASE + " (singleton, id) SELECT 1, '" + id + "' WHERE NOT EXISTS (SELECT 1 FROM "
                + JdbcStore.DATABASE + ")";
    }

    /**
     * One statement that patches any number of rows of the table, each setting the columns {@code set} and found by its
     * key columns {@code key}, from one text array a column (the values of {@code set}, then of {@code key}, each
     * element in its type's text form); null (the default): one {@code UPDATE} a row in a JDBC batch instead.
     */
    String patchArrays(TableInfo table, List<Column> set, List<Column> key) {
        return null;
    }

    /**
     * Whether the driver sends several statements of one prepared text ({@code "INSERT ...; UPDATE ..."}) together,
     * in one round trip, with their parameters in order: a batch's ledger row and its fence move then cost one round
     * trip instead of two, and a patch statement its savepoint's too.
     */
    boolean sendsStatementsTogether() {
        return false;
    }

    /**
     * The patch of {@code rows} rows in one statement where {@link #patchArrays} has none: each column of {@code set}
     * set by a {@code CASE} over the rows' keys, {@code "c" = CASE "k" WHEN ? THEN ? ... ELSE "c" END} (a composite
     * key: {@code CASE WHEN "k1" = ? AND "k2" = ? THEN ?}), then the rows by key, {@code WHERE "k" IN (?, ...)}. Bound
     * column by column, row by row: the row's key values, then its value; then the keys of the rows in order. Null
     * (the default): one {@code UPDATE} a row.
     */
    String patchCases(TableInfo table, List<Column> set, List<Column> key, int rows) {
        return null;
    }

    /** {@link #patchCases}'s statement, in standard SQL. */
    static String caseStatement(TableInfo table, List<Column> set, List<Column> key, int rows) {
        StringBuilder q = new StringBuilder("UPDATE ").append(table.sqlName()).append(" SET ");
        String single = key.size() == 1 ? Sql.quote(key.get(0).name()) : null;
        String match = key.stream().map(k -> Sql.quote(k.name()) + " = ?").collect(Collectors.joining(" AND "));
        for (int c = 0; c < set.size(); c++) {
            String column = Sql.quote(set.get(c).name());
            q.append(c == 0 ? "" : ", ").append(column).append(" = CASE");
            if (single != null) {
                q.append(' ').append(single).append(" WHEN ? THEN ?".repeat(rows));
            } else {
                q.append((" WHEN " + match + " THEN ?").repeat(rows));
            }
            q.append(" ELSE ").append(column).append(" END");
        }
        q.append(" WHERE ");
        if (single != null) {
            q.append(single).append(" IN (").append(String.join(", ", Collections.nCopies(rows, "?"))).append(')');
        } else {
            q.append(String.join(" OR ", Collections.nCopies(rows, "(" + match + ")")));
        }
        return q.toString();
    }

    /** What ends a {@code SELECT} that locks the rows it reads until the transaction ends. */
    String forUpdate() {
        return " FOR UPDATE";
    }

    /**
     * What ends the {@code SELECT} of a batch's page: locks its rows against the application's writes until the batch
     * ends. A batch never changes a key (a patch of a key column is refused), so a database that can lock a row short
     * of its key (PostgreSQL's {@code FOR NO KEY UPDATE}) lets the application's foreign-key checks of those rows go
     * on; {@link #forUpdate} where it cannot.
     */
    String forPageUpdate() {
        return forUpdate();
    }

    /**
     * {@link #forUpdate} for the coordinator's writes, which wait up to {@code millis} for the batches in flight: the
     * same clause where {@link #transactionLockTimeout} set the transaction's wait; a dialect that cannot set it for one
     * transaction may say it here, for the statement ({@code FOR UPDATE WAIT n}).
     */
    String forUpdateWaiting(long millis) {
        return forUpdate();
    }

    // --- tables and planning

    /**
     * The table's metadata from the database's own catalog, by exact name; a name without a schema resolves as the
     * database resolves it. Refuses a table that cannot be walked ({@link TableCatalog}: missing, a view, no primary
     * key) with the reason.
     */
    abstract TableInfo readTable(Connection c, TableName name, String url) throws SQLException;

    /**
     * Whether the database finds the rows of a row-value comparison ({@code (a, b) > (?, ?)}) through an index on
     * {@code (a, b)}. Where it does not (MariaDB scans the whole index for one), {@link KeyOrder} writes the same
     * condition column by column ({@code a > ? OR (a = ? AND b > ?)}), which it reads as a range.
     */
    boolean indexesRowComparisons() {
        return true;
    }

    /**
     * The clause after a table's name that reads about {@code percent} per cent of its rows, picked one by one
     * ({@code TABLESAMPLE BERNOULLI}); empty when the database has none, and split points are counted exactly.
     */
    abstract Optional<String> rowSample(double percent);

    // --- health readings (HealthProbe)

    /** A reading of one health signal on a connection of the pool, in its own transaction. */
    interface Reading {
        long read(Connection c) throws SQLException;
    }

    /**
     * How far the standbys are behind, in bytes; empty when the database has no standbys to read (then 0).
     *
     * @param replicas the replicas the configuration names ({@code REPLICA_JDBC_URLS}), for a database whose primary
     *     does not know how far its replicas have applied (MariaDB); a dialect whose primary knows ignores them
     */
    abstract Optional<Reading> replicaLag(ReplicaServers replicas);

    /** The application's longest wait on Keyway's locks, in ms; empty when it cannot be read (then 0). */
    abstract Optional<Reading> lockWait();

    // --- values

    /** Column {@code index} (1-based) of a result, as {@link Column#of} maps the driver's type unless said here. */
    Column column(ResultSetMetaData md, int index) throws SQLException {
        return Column.of(md, index);
    }

    /** Binds text the database converts to the parameter's type (the column's, the comparison's). */
    abstract void bindText(PreparedStatement ps, int index, String text) throws SQLException;

    /** Binds JSON text to a JSON column, as the JSON value it is (a JSON string stays a string). */
    abstract void bindJson(PreparedStatement ps, int index, String json) throws SQLException;

    /**
     * Binds a JSON array (nested for several dimensions) to an array column, each element converted to the
     * column's element type by the database.
     *
     * @throws IllegalArgumentException when the array cannot be written, naming the column
     */
    abstract void bindArray(PreparedStatement ps, int index, Column column, JsonNode array) throws SQLException;

    /** The array in column {@code index} of the current row as a JSON array, or null for SQL NULL. */
    abstract JsonNode readArray(ResultSet rs, int index, Column column) throws SQLException;

    // --- errors

    /** What a failed statement means for the batch: {@link Sql#failure} makes the exception from it. */
    enum Failure {
        /** A lock held past the lock timeout: the batch rolls back and runs again later. */
        LOCK_TIMEOUT,
        /** A statement past the statement timeout. */
        STATEMENT_TIMEOUT,
        /** The database ended a session that sat idle in its transaction. */
        IDLE_SESSION_ENDED,
        /** Passes by itself: the connection, a deadlock, serialization, a shutdown. */
        RETRIABLE,
        /** A row with the same primary key exists (a ledger entry written by another worker). */
        DUPLICATE_KEY,
        /** A table or type that {@code CREATE .. IF NOT EXISTS} made at the same moment in another session. */
        ALREADY_CREATED,
        /** Needs a fix. */
        OTHER
    }

    abstract Failure classify(SQLException e);

    /**
     * Whether the database refused a value written to a column (a data exception, class 22, or a constraint, class
     * 23): a patch's fault, reported with its document.
     */
    boolean isRejectedValue(SQLException e) {
        String state = state(e);
        return state.startsWith("22") || state.startsWith("23");
    }

    /** Which update of a failed JDBC batch the database refused, counted from 0; -1 when the driver does not say. */
    int failedBatchEntry(BatchUpdateException e) {
        return -1;
    }

    /** The SQL standard's transient classes: connection exceptions (08), transaction rollbacks (40). */
    static boolean isTransient(SQLException e) {
        String state = state(e);
        return e instanceof SQLTransientException || e instanceof SQLRecoverableException || state.startsWith("08")
                || state.startsWith("40");
    }

    static String state(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }
}
