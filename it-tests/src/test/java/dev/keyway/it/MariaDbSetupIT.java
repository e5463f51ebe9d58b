package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.MariaDbReplicationLag;
import dev.keyway.it.support.MariaDbServers;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MariaDB primary and replica that {@code bin/ensure-mariadb-replica} starts are what the MariaDB dialect needs,
 * checked through plain JDBC: the binlog in ROW format, a row reaching the read-only replica, a replication lag in
 * bytes that grows while the replica's SQL thread is stopped and falls to 0 once it runs, the health probe's
 * privileges, the errors of the two timeouts Keyway sets, and how the driver and information_schema describe the
 * column types the dialect maps. What it prints is recorded in docs/MARIADB.md.
 */
class MariaDbSetupIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(20);

    private final String table = "setup_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    private boolean running;

    @BeforeEach
    void requireTheServers() {
        MariaDbServers.requireRunning();
        running = true;
    }

    @AfterEach
    void dropTheTable() throws SQLException {
        if (!running) {
            return; // skipped: MariaDB is not installed here
        }
        try (Connection primary = MariaDbServers.primary(); Statement st = primary.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void thePrimaryWritesItsBinlogInRowFormat() throws SQLException {
        try (Connection primary = MariaDbServers.primary()) {
            assertEquals("1", single(primary, "SELECT @@log_bin"));
            assertEquals("ROW", single(primary, "SELECT @@binlog_format"));
            assertEquals("InnoDB", single(primary, "SELECT @@default_storage_engine"));
            System.out.println("MariaDB " + single(primary, "SELECT @@version") + ", driver "
                    + primary.getMetaData().getDriverVersion());
        }
    }

    @Test
    void aRowWrittenOnThePrimaryReachesTheReplicaWhichIsReadOnlyForKeyway() throws Exception {
        try (Connection primary = MariaDbServers.primary(); Connection replica = MariaDbServers.replica()) {
            exec(primary, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, note VARCHAR(50))",
                    "INSERT INTO " + table + " VALUES (1, 'from the primary')");
            long start = System.nanoTime();
            await("the row on the replica", () -> count(replica, table) == 1);
            System.out.println("a row reached the replica in " + (System.nanoTime() - start) / 1_000_000 + " ms");

            SQLException refused = assertThrows(SQLException.class,
                    () -> exec(replica, "INSERT INTO " + table + " VALUES (2, 'on the replica')"));
            assertEquals(1290, refused.getErrorCode(), refused.getMessage());
            System.out.println("a write on the replica: " + describe(refused));
        }
    }

    /** Keyway's store on the primary, as Keyway's user. */
    private static StoreOptions keyway() {
        return StoreOptions.of(MariaDbServers.primaryUrl(), MariaDbServers.user(), MariaDbServers.password());
    }

    @Test
    void aReplicaTheProbeCannotReadMakesTheLagUnknownNeverZero() {
        // the primary has a replica connected, and no replica is named: the primary cannot tell its lag
        try (Store unnamed = Store.open(keyway())) {
            StoreException e = assertThrows(StoreException.class, unnamed::replicaLagBytes);
            assertTrue(e.getMessage().contains("REPLICA_JDBC_URLS names none"), e.getMessage());
        }
        // nothing listens there
        try (Store unreachable = Store.open(keyway().withReplicaUrls(List.of("jdbc:mariadb://127.0.0.1:1/keyway")))) {
            StoreException e = assertThrows(StoreException.class, unreachable::replicaLagBytes);
            assertTrue(e.getMessage().contains("cannot read how far replica jdbc:mariadb://127.0.0.1:1/keyway"), e.getMessage());
        }
        // a user without SLAVE MONITOR on the replica (the URL names its own user)
        String url = MariaDbServers.replicaUrl() + "?user=" + MariaDbServers.NOMONITOR_USER + "&password="
                + MariaDbServers.NOMONITOR_USER;
        try (Store denied = Store.open(keyway().withReplicaUrls(List.of(url)))) {
            StoreException e = assertThrows(StoreException.class, denied::replicaLagBytes);
            assertTrue(e.getMessage().contains("SLAVE MONITOR") && e.getMessage().contains("password=***"),
                    e.getMessage());
        }
    }

    @Test
    void theLagInBytesGrowsWhileTheReplicaDoesNotApplyAndFallsToZeroOnceItDoes() throws Exception {
        try (Connection primary = MariaDbServers.primary(); Connection replica = MariaDbServers.replica();
             Connection admin = MariaDbServers.asAdmin(MariaDbServers.replicaUrl());
             Connection primaryAdmin = MariaDbServers.asAdmin(MariaDbServers.primaryUrl());
             Store lag = Store.open(keyway().withReplicaUrls(List.of(MariaDbServers.replicaUrl())))) {
            exec(primary, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, pad VARCHAR(1000))");
            await("no lag before the test", () -> MariaDbReplicationLag.read(lag, primary, replica).bytes() == 0);
            exec(admin, "STOP SLAVE SQL_THREAD");
            try {
                // 10,000 rows of 1,000 bytes: about 10 MB of binlog in ROW format
                exec(primary, "INSERT INTO " + table + " SELECT seq, REPEAT('x', 1000) FROM seq_1_to_10000");
                await("the replica received the writes", () -> {
                    MariaDbReplicationLag.Reading r = MariaDbReplicationLag.read(lag, primary, replica);
                    return r.replica().get("Read_Master_Log_Pos").equals(Long.toString(r.primaryPosition()));
                });
                MariaDbReplicationLag.Reading stopped = MariaDbReplicationLag.read(lag, primary, replica);
                System.out.println("SQL thread stopped, 10 MB written: " + stopped);
                assertTrue(stopped.bytes() > 10_000_000, stopped.toString());
                assertEquals(1, stopped.transactionsBehind(), stopped.toString());
                // stopped, the replica does not know how far behind it is in seconds: NULL, which is not 0
                assertNull(stopped.replica().get("Seconds_Behind_Master"), stopped.toString());
                assertEquals(0, count(replica, table), "the replica applied nothing");

                // across binlog files: the bytes of the files between the replica's and the primary's positions count
                exec(primaryAdmin, "FLUSH BINARY LOGS");
                exec(primary, "INSERT INTO " + table + " VALUES (0, 'after the rotation')");
                MariaDbReplicationLag.Reading rotated = MariaDbReplicationLag.read(lag, primary, replica);
                System.out.println("after FLUSH BINARY LOGS and one more row: " + rotated);
                assertTrue(!rotated.primaryFile().equals(rotated.replica().get("Relay_Master_Log_File"))
                        && rotated.bytes() > stopped.bytes(), rotated.toString());
                assertEquals(2, rotated.transactionsBehind(), rotated.toString());
            } finally {
                exec(admin, "START SLAVE SQL_THREAD");
            }
            long start = System.nanoTime();
            await("the replica caught up", () -> MariaDbReplicationLag.read(lag, primary, replica).bytes() == 0);
            System.out.println("caught up in " + (System.nanoTime() - start) / 1_000_000 + " ms: "
                    + MariaDbReplicationLag.read(lag, primary, replica));
            assertEquals(10_001, count(replica, table));
        }
    }

    @Test
    void theProbesPositionsNeedTheirPrivilegesButTheProcessListOnlyHidesTheReplicas() throws SQLException {
        String dumpThreads = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'";
        try (Connection primary = MariaDbServers.primary();
             Connection plainPrimary = MariaDbServers.withoutMonitorRights(MariaDbServers.primaryUrl());
             Connection plainReplica = MariaDbServers.withoutMonitorRights(MariaDbServers.replicaUrl())) {
            assertEquals("1", single(primary, dumpThreads), "keyway (PROCESS) sees the replica's binlog dump thread");
            assertEquals(1, rows(primary, "SHOW SLAVE HOSTS"), "keyway (REPLICATION MASTER ADMIN) sees the replica");
            assertEquals("0", single(plainPrimary, dumpThreads), "without PROCESS it is hidden, not refused");
            for (String[] query : new String[][] {{"primary", "SHOW MASTER STATUS"}, {"primary", "SHOW BINARY LOGS"},
                    {"primary", "SHOW SLAVE HOSTS"}, {"replica", "SHOW ALL SLAVES STATUS"}}) {
                Connection c = query[0].equals("primary") ? plainPrimary : plainReplica;
                SQLException refused = assertThrows(SQLException.class, () -> single(c, query[1]), query[1]);
                assertEquals(1227, refused.getErrorCode(), refused.getMessage());
                System.out.println(query[1] + " as " + MariaDbServers.NOMONITOR_USER + " on the " + query[0] + ": "
                        + describe(refused));
            }
        }
    }

    @Test
    void aStatementTimeoutAndALockWaitTimeoutFailWithTheirOwnErrorsAndLeaveTheTransactionOpen() throws Exception {
        try (Connection holder = MariaDbServers.primary(); Connection waiter = MariaDbServers.primary()) {
            exec(holder, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, n INT NOT NULL)",
                    "INSERT INTO " + table + " VALUES (1, 0), (2, 0)");
            SQLException slow = assertThrows(SQLException.class,
                    () -> single(waiter, "SET STATEMENT max_statement_time = 0.2 FOR SELECT SLEEP(5)"));
            assertEquals(1969, slow.getErrorCode(), slow.getMessage());
            System.out.println("statement timeout: " + describe(slow));

            holder.setAutoCommit(false);
            single(holder, "SELECT n FROM " + table + " WHERE id = 1 FOR UPDATE");
            exec(waiter, "SET SESSION innodb_lock_wait_timeout = 1");
            assertEquals("1", single(waiter, "SELECT @@SESSION.innodb_lock_wait_timeout"));
            waiter.setAutoCommit(false);
            exec(waiter, "UPDATE " + table + " SET n = 1 WHERE id = 2");
            SQLException locked = assertThrows(SQLException.class,
                    () -> exec(waiter, "UPDATE " + table + " SET n = 1 WHERE id = 1"));
            assertEquals(1205, locked.getErrorCode(), locked.getMessage());
            System.out.println("lock wait timeout: " + describe(locked));
            // innodb_rollback_on_timeout is OFF: the statement is rolled back, the transaction goes on
            assertEquals("1", single(waiter, "SELECT @@in_transaction"));
            assertEquals("1", single(waiter, "SELECT n FROM " + table + " WHERE id = 2"));

            exec(waiter, "SET SESSION innodb_lock_wait_timeout = 50");
            SQLException both = assertThrows(SQLException.class, () -> exec(waiter,
                    "SET STATEMENT max_statement_time = 0.5 FOR UPDATE " + table + " SET n = 1 WHERE id = 1"));
            assertEquals(1969, both.getErrorCode(), both.getMessage());
            System.out.println("statement timeout while waiting for a lock: " + describe(both)
                    + "; in a transaction after it: " + single(waiter, "SELECT @@in_transaction"));
            waiter.rollback();
            holder.rollback();
        }
    }

    @Test
    void theColumnTypesTheDialectMapsAsTheDriverAndInformationSchemaDescribeThem() throws SQLException {
        String[][] columns = {
            {"id", "BIGINT UNSIGNED NOT NULL PRIMARY KEY", "18446744073709551615"},
            {"i", "INT", "21"},
            {"i_unsigned", "INT UNSIGNED", "4294967295"},
            {"tiny_bool", "BOOLEAN", "TRUE"},
            {"tiny_unsigned", "TINYINT UNSIGNED", "255"},
            {"doc", "JSON", "'{\"a\": [1, 2]}'"},
            {"doc_checked", "JSON CHECK (JSON_LENGTH(doc_checked) > 0)", "'[1]'"},
            {"size", "ENUM('small', 'medium', 'large')", "'medium'"},
            {"colours", "SET('red', 'green', 'blue')", "'red,blue'"},
            {"price", "DECIMAL(20, 6)", "12345.678901"},
            {"ratio", "DOUBLE", "0.5"},
            {"happened", "DATETIME(6)", "'2026-12-05 10:11:12.123456'"},
            {"stamped", "TIMESTAMP(6) NULL", "'2026-12-05 10:11:12.123456'"},
            {"day", "DATE", "'2026-12-05'"},
            {"span", "TIME(6)", "'12:34:56.5'"},
            {"yr", "YEAR", "2026"},
            {"name", "VARCHAR(100)", "'Ada'"},
            {"code", "CHAR(3)", "'abc'"},
            {"body", "TEXT", "'text'"},
            {"raw", "BLOB", "x'00ff'"},
            {"raw16", "VARBINARY(16)", "x'0102'"},
            {"flag", "BIT(1)", "b'1'"},
            {"bits", "BIT(8)", "b'10100101'"},
            {"uid", "UUID", "'123e4567-e89b-12d3-a456-426614174000'"},
            {"doubled", "INT AS (i * 2) VIRTUAL", null},
            {"total", "DECIMAL(20, 6) AS (price * 2) STORED", null},
        };
        StringBuilder ddl = new StringBuilder("CREATE TABLE " + table + " (");
        StringBuilder names = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (String[] column : columns) {
            ddl.append(ddl.charAt(ddl.length() - 1) == '(' ? "" : ", ").append(column[0]).append(' ').append(column[1]);
            if (column[2] != null) {
                names.append(names.isEmpty() ? "" : ", ").append(column[0]);
                values.append(values.isEmpty() ? "" : ", ").append(column[2]);
            }
        }
        try (Connection primary = MariaDbServers.primary(); Statement st = primary.createStatement()) {
            exec(primary, ddl.append(')').toString(),
                    "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ")");
            System.out.println("| column | getColumnTypeName | getColumnType | getColumnClassName | getObject |"
                    + " DATA_TYPE | COLUMN_TYPE | EXTRA |");
            try (ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
                rs.next();
                java.sql.ResultSetMetaData meta = rs.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    String[] schema = columnSchema(primary, meta.getColumnName(i));
                    System.out.println("| `" + columns[i - 1][1] + "` | " + meta.getColumnTypeName(i) + " | "
                            + java.sql.JDBCType.valueOf(meta.getColumnType(i)) + " (" + meta.getColumnType(i) + ") | "
                            + meta.getColumnClassName(i) + " | " + (value == null ? "null" : value.getClass().getName())
                            + " | " + schema[0] + " | " + schema[1] + " | " + schema[2] + " |");
                }
            }
            assertEquals("longtext", columnSchema(primary, "doc")[0], "JSON is LONGTEXT with a CHECK");
            // the CHECK that tells JSON from LONGTEXT is json_valid(..), unless the column has a CHECK of its own
            String checks = "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA ="
                    + " DATABASE() AND TABLE_NAME = '" + table + "' AND CONSTRAINT_NAME = ";
            assertEquals("json_valid(`doc`)", single(primary, checks + "'doc'"));
            assertEquals("json_length(`doc_checked`) > 0", single(primary, checks + "'doc_checked'"));
            assertEquals("enum('small','medium','large')", columnSchema(primary, "size")[1]);
            assertEquals("VIRTUAL GENERATED", columnSchema(primary, "doubled")[2]);
            assertEquals("STORED GENERATED", columnSchema(primary, "total")[2]);
            assertEquals("bigint(20) unsigned", columnSchema(primary, "id")[1]);
        }
    }

    private String[] columnSchema(Connection c, String column) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DATA_TYPE, COLUMN_TYPE, EXTRA FROM information_schema.COLUMNS"
                     + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" + table + "' AND COLUMN_NAME = '"
                     + column + "'")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
        }
    }

    static void exec(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    static String describe(SQLException e) {
        return "error " + e.getErrorCode() + ", SQLState " + e.getSQLState() + ", " + e.getClass().getSimpleName()
                + ": " + e.getMessage();
    }

    private static int rows(Connection c, String sql) throws SQLException {
        int rows = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows++;
            }
        }
        return rows;
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA ="
                     + " DATABASE() AND TABLE_NAME = '" + table + "'")) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return 0;
            }
        }
        return Long.parseLong(single(c, "SELECT COUNT(*) FROM " + table));
    }

    static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }
}
