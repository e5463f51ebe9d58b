package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.store.DbTimeouts;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.StatementTimeoutException;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dialect is chosen once from the URL, and each says in its own words what the store asks of it. */
class DialectTest {

    private final Dialect postgres = Dialect.of("jdbc:postgresql://localhost/keyway");
    private final Dialect h2 = Dialect.of("jdbc:h2:mem:x");
    private final Dialect mariadb = Dialect.of("jdbc:mariadb://127.0.0.1:3306/keyway");

    @Test
    void theUrlChoosesTheDialectAndAnUnsupportedDatabaseIsRefusedNamingTheSupportedOnes() {
        assertInstanceOf(PostgresDialect.class, postgres);
        assertInstanceOf(H2Dialect.class, h2);
        assertInstanceOf(MariaDbDialect.class, mariadb);
        assertThrows(IllegalArgumentException.class, () -> Dialect.of("jdbc:mysql://127.0.0.1:3306/keyway"),
                "no MySQL driver is shipped, and MariaDB's takes jdbc:mysql: only with permitMysqlScheme");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.of("jdbc:oracle:thin:@db:1521/x", "u", "p"));
        assertEquals("jdbcUrl must be a PostgreSQL (jdbc:postgresql:..), MariaDB (jdbc:mariadb:..) or H2 (jdbc:h2:..) URL, but was"
                + " jdbc:oracle:thin:@db:1521/x", refused.getMessage());
    }

    @Test
    void postgresPatchesAPageInOneStatementOfOneTextArrayAColumnAndTheOthersOneUpdateARow() {
        TableInfo filmActor = new TableInfo(TableName.parse("film_actor"), "public", "film_actor",
                List.of("actor_id", "film_id"), List.of("actor_id", "film_id", "note", "last_update"), Set.of());
        List<Column> set = List.of(new Column("note", "jsonb", Column.Kind.JSON, null),
                new Column("last_update", "timestamptz", Column.Kind.TIMESTAMPTZ, null));
        List<Column> key = List.of(new Column("actor_id", "serial", Column.Kind.INTEGER, null),
                new Column("film_id", "int2", Column.Kind.INTEGER, null));
        assertEquals("UPDATE \"public\".\"film_actor\" AS t SET \"note\" = v.p1, \"last_update\" = v.p2 FROM (SELECT"
                + " CAST(u.p1 AS jsonb) AS p1, CAST(u.p2 AS timestamptz) AS p2, CAST(u.p3 AS int4) AS p3, CAST(u.p4 AS int2)"
                + " AS p4 FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) AS"
                + " u(p1, p2, p3, p4)) AS v WHERE t.\"actor_id\" = v.p3 AND t.\"film_id\" = v.p4",
                postgres.patchArrays(filmActor, set, key), "a serial key is cast to int4: serial is no type");
        assertEquals(null, mariadb.patchArrays(filmActor, set, key));
        assertEquals(null, h2.patchArrays(filmActor, set, key));
    }

    @Test
    void mariaDbPatchesAChunkOfRowsInOneStatementOfACaseAColumn() {
        TableInfo filmActor = new TableInfo(TableName.parse("film_actor"), "shop", "film_actor",
                List.of("actor_id", "film_id"), List.of("actor_id", "film_id", "note", "last_update"), Set.of());
        List<Column> set = List.of(new Column("note", "json", Column.Kind.JSON, null),
                new Column("last_update", "datetime", Column.Kind.TIMESTAMP, null));
        List<Column> composite = List.of(new Column("actor_id", "int", Column.Kind.INTEGER, null),
                new Column("film_id", "smallint", Column.Kind.INTEGER, null));
        assertEquals("UPDATE \"shop\".\"film_actor\" SET \"note\" = CASE WHEN \"actor_id\" = ? AND \"film_id\" = ? THEN ?"
                + " WHEN \"actor_id\" = ? AND \"film_id\" = ? THEN ? ELSE \"note\" END, \"last_update\" = CASE WHEN"
                + " \"actor_id\" = ? AND \"film_id\" = ? THEN ? WHEN \"actor_id\" = ? AND \"film_id\" = ? THEN ? ELSE"
                + " \"last_update\" END WHERE (\"actor_id\" = ? AND \"film_id\" = ?) OR (\"actor_id\" = ? AND \"film_id\" = ?)",
                mariadb.patchCases(filmActor, set, composite, 2));
        TableInfo items = new TableInfo(TableName.parse("items"), "shop", "items", List.of("id"),
                List.of("id", "counter"), Set.of());
        List<Column> counter = List.of(new Column("counter", "int", Column.Kind.INTEGER, null));
        assertEquals("UPDATE \"shop\".\"items\" SET \"counter\" = CASE \"id\" WHEN ? THEN ? WHEN ? THEN ? WHEN ? THEN ?"
                + " ELSE \"counter\" END WHERE \"id\" IN (?, ?, ?)", mariadb.patchCases(items, counter,
                List.of(new Column("id", "bigint", Column.Kind.INTEGER, null)), 3));
        assertEquals(null, postgres.patchCases(items, counter, List.of(), 3), "PostgreSQL has its arrays");
        
    }

    @Test
    void eachSessionGetsItsDatabasesTimeouts() {
        DbTimeouts t = new DbTimeouts(Duration.ofMillis(2_000), Duration.ofMillis(60_000), Duration.ofMillis(120_000));
        assertEquals("SET lock_timeout = 2000; SET statement_timeout = 60000; SET idle_in_transaction_session_timeout"
                + " = 120000", postgres.sessionSettings(t));
        assertEquals("SET LOCK_TIMEOUT 2000; SET QUERY_TIMEOUT 60000", h2.sessionSettings(t));
        assertEquals("SET LOCAL lock_timeout = 8000", postgres.transactionLockTimeout(8_000).orElseThrow());
        assertTrue(h2.transactionLockTimeout(8_000).isEmpty(), "H2's lock timeout is the session's");
        assertEquals("false", postgres.dataSourceProperties().get("binaryTransfer"));
    }

    @Test
    void mariaDbSessionsQuoteLikeAnsiAreStrictInUtcAndTakeTheirTimeoutsInSecondsRoundedUp() {
        DbTimeouts t = new DbTimeouts(Duration.ofMillis(1_500), Duration.ofMillis(250), Duration.ofMillis(120_000));
        assertEquals("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES',"
                + " 'STRICT_TRANS_TABLES'), time_zone = '+00:00', innodb_lock_wait_timeout = 2, max_statement_time = 0.250,"
                + " idle_transaction_timeout = 120", mariadb.sessionSettings(t));
        assertEquals("TRANSACTION_READ_COMMITTED", mariadb.isolation().orElseThrow(), "no gap locks on a batch's page");
        assertTrue(postgres.isolation().isEmpty() && h2.isolation().isEmpty(), "their default: READ COMMITTED");
        assertTrue(mariadb.sessionSettings(t.withLock(Duration.ofMillis(1))).contains("innodb_lock_wait_timeout = 1,"),
                "0 would fail at once: a lock wait under a second waits one");
        assertTrue(mariadb.transactionLockTimeout(8_000).isEmpty(), "a session setting would outlive the transaction");
        assertEquals(" FOR UPDATE WAIT 8", mariadb.forUpdateWaiting(8_000));
        assertEquals(" FOR UPDATE", postgres.forUpdateWaiting(8_000), "PostgreSQL set the transaction's wait itself");
        assertFalse(mariadb.indexesRowComparisons());
        assertEquals(" FOR NO KEY UPDATE", postgres.forPageUpdate(), "a batch's page leaves foreign-key checks alone");
        assertEquals(" FOR UPDATE", mariadb.forPageUpdate());
        assertEquals(" FOR UPDATE", h2.forPageUpdate());
    }

    @Test
    void mariaDbErrorsAreClassifiedByVendorCodeAsTheDriverReportsThem() {
        Sql sql = new Sql(mariadb);
        // as docs/MARIADB.md records them: 1205 shares HY000 with most errors, 1969 is an SQLTimeoutException
        assertInstanceOf(LockTimeoutException.class, sql.failure("lock", new SQLException("Lock wait timeout", "HY000", 1205)));
        assertInstanceOf(StatementTimeoutException.class, sql.failure("slow",
                new java.sql.SQLTimeoutException("max_statement_time exceeded", "70100", 1969)));
        assertInstanceOf(RetriableStoreException.class, sql.failure("deadlock", new SQLException("x", "40001", 1213)));
        assertInstanceOf(RetriableStoreException.class, sql.failure("gone", new SQLException("x", "08000", 0)));
        assertInstanceOf(RetriableStoreException.class, sql.failure("killed", new SQLException("x", "70100", 1927)));
        assertTrue(sql.isDuplicateKey(new SQLException("Duplicate entry", "23000", 1062)));
        assertEquals(Dialect.Failure.ALREADY_CREATED, mariadb.classify(new SQLException("x", "42S01", 1050)));
        assertEquals(StoreException.class, sql.failure("read only", new SQLException("x", "HY000", 1290)).getClass());
        assertTrue(mariadb.isRejectedValue(new SQLException("Data truncated", "01000", 1265)));
        assertTrue(mariadb.isRejectedValue(new SQLException("CONSTRAINT json_valid failed", "23000", 4025)));
        assertFalse(mariadb.isRejectedValue(new SQLException("x", "HY000", 1290)));
        // the driver runs every update of a batch and marks the refused one
        assertEquals(2, mariadb.failedBatchEntry(new BatchUpdateException("Data truncated", "01000", 1265,
                new int[] {1, 1, java.sql.Statement.EXECUTE_FAILED, 1}, null)));
        assertEquals(-1, mariadb.failedBatchEntry(new BatchUpdateException("x", "01000", 1265, new int[0], null)));
    }

    @Test
    void mariaDbKeepsTheLedgersUniquenessOnAHashOfTheCursorAndComparesBookkeepingTextByteForByte() {
        String ledger = mariadb.bookkeepingTables().get(JdbcStore.LEDGER);
        assertTrue(ledger.contains("UNIQUE KEY keyway_ledger_batch (migration, run_id, segment, start_cursor_sha256)"), ledger);
        assertTrue(ledger.contains("AS (UNHEX(SHA2(start_cursor, 256))) STORED"), ledger);
        mariadb.bookkeepingTables().values().forEach(ddl -> assertTrue(ddl.endsWith("COLLATE = utf8mb4_nopad_bin"), ddl));
        assertEquals(postgres.bookkeepingTables().keySet().stream().toList(),
                mariadb.bookkeepingTables().keySet().stream().toList());
        IllegalArgumentException array = assertThrows(IllegalArgumentException.class, () -> mariadb.bindArray(null, 1,
                Column.of("tags", java.sql.Types.VARCHAR, "VARCHAR"), null));
        assertTrue(array.getMessage().contains("\"tags\"") && array.getMessage().contains("no array"), array.getMessage());
        assertTrue(mariadb.rowSample(0.5).isEmpty());
        assertTrue(mariadb.replicaLag(new ReplicaServers(java.util.List.of(), "u", "p")).isPresent()
                && mariadb.lockWait().isPresent());
    }

    @Test
    void errorsAreClassifiedByEachDatabasesOwnStates() {
        Sql pg = new Sql(postgres);
        Sql embedded = new Sql(h2);
        assertInstanceOf(LockTimeoutException.class, pg.failure("lock", new SQLException("x", "55P03")));
        assertInstanceOf(LockTimeoutException.class, embedded.failure("lock", new SQLException("x", "HYT00")));
        assertInstanceOf(StatementTimeoutException.class, pg.failure("slow", new SQLException("x", "57014")));
        assertInstanceOf(StatementTimeoutException.class, embedded.failure("slow", new SQLException("x", "57014")));
        assertInstanceOf(RetriableStoreException.class, pg.failure("idle", new SQLException("x", "25P03")));
        assertInstanceOf(RetriableStoreException.class, pg.failure("shutdown", new SQLException("x", "57P01")));
        assertInstanceOf(RetriableStoreException.class, embedded.failure("closed", new SQLException("x", "90098")));
        assertInstanceOf(RetriableStoreException.class, pg.failure("deadlock", new SQLException("x", "40P01")));
        assertEquals(StoreException.class, pg.failure("duplicate", new SQLException("x", "23505")).getClass());
        assertTrue(pg.isDuplicateKey(new SQLException("x", "23505")));
        assertTrue(embedded.isDuplicateKey(new SQLException("x", "23505")));
        assertEquals(Dialect.Failure.ALREADY_CREATED, postgres.classify(new SQLException("x", "42P07")));
        assertTrue(postgres.isRejectedValue(new SQLException("x", "42804")));
        assertFalse(h2.isRejectedValue(new SQLException("x", "42804")));
    }

    @Test
    void onlyPostgresqlNamesTheRefusedUpdateOfABatchSamplesRowsAndReadsHealth() {
        BatchUpdateException e = new BatchUpdateException("Batch entry 2 UPDATE \"items\" SET .. was aborted", "22P02",
                new int[0]);
        assertEquals(2, postgres.failedBatchEntry(e));
        assertEquals(-1, h2.failedBatchEntry(e));
        assertEquals("TABLESAMPLE BERNOULLI (0.5000)", postgres.rowSample(0.5).orElseThrow());
        assertTrue(h2.rowSample(0.5).isEmpty());
        ReplicaServers none = new ReplicaServers(java.util.List.of(), "u", "p");
        assertTrue(postgres.replicaLag(none).isPresent() && postgres.lockWait().isPresent());
        assertTrue(h2.replicaLag(none).isEmpty() && h2.lockWait().isEmpty());
    }
}
