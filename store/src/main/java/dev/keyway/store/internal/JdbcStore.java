package dev.keyway.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.DbTimeouts;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.CoordinatorEpoch;
import dev.keyway.store.RunFence;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import dev.keyway.store.TableWalk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;

/** {@link Store} over a HikariCP pool, for PostgreSQL and H2. */
public final class JdbcStore implements Store {

    static final String LEDGER = "keyway_ledger";
    static final String FENCE = "keyway_fence";
    static final String DATABASE = "keyway_database";
    static final String COORDINATOR = "keyway_coordinator";

    private final HikariDataSource pool;
    private final Sql sql;
    private final String url;
    /** Per table, its key and columns ({@link MetadataCache}: read again after a while, to see schema changes). */
    private final MetadataCache<TableInfo> tables;
    /** Per table, the types a patch's values are written as (apart from TableInfo: values, not keys). */
    private final MetadataCache<TableColumns> columnTypes;

    private JdbcStore(HikariDataSource pool, boolean postgres, String url, LongSupplier nanoTime) {
        this.pool = pool;
        this.sql = new Sql(postgres);
        this.url = url;
        this.tables = new MetadataCache<>(nanoTime);
        this.columnTypes = new MetadataCache<>(nanoTime);
    }

    public static JdbcStore open(StoreOptions options) {
        return open(options, System::nanoTime);
    }

    /** @param nanoTime the clock the table metadata's age is measured on ({@link MetadataCache}) */
    static JdbcStore open(StoreOptions options, LongSupplier nanoTime) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(options.jdbcUrl());
        cfg.setUsername(options.user());
        cfg.setPassword(options.password());
        cfg.setMaximumPoolSize(options.poolSize());
        cfg.setAutoCommit(false);
        cfg.setPoolName("keyway-store");
        cfg.setConnectionTimeout(10_000);
        cfg.setConnectionInitSql(sessionSettings(options));
        // commit the settings: left in an open transaction, PostgreSQL would end the idle session after the
        // idle-in-transaction timeout, and a first transaction that rolls back would undo them
        cfg.setIsolateInternalQueries(true);
        if (options.isPostgres()) {
            // how the lock-wait health signal tells Keyway's sessions from the application's
            cfg.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
            // results as PostgreSQL's text: once a statement is prepared on the server (its 5th run) the driver
            // would take some types in binary and print them itself, so a timestamptz or an array read as text
            // would change form between the first batches and the later ones (ColumnValues reads the text form)
            cfg.addDataSourceProperty("binaryTransfer", "false");
        }
        try {
            return new JdbcStore(new HikariDataSource(cfg), options.isPostgres(), options.redactedUrl(), nanoTime);
        } catch (HikariPool.PoolInitializationException e) {
            throw new RetriableStoreException("cannot reach the database at " + options.redactedUrl() + " ("
                    + StoreOptions.redact(rootMessage(e)) + "): start it (PostgreSQL: pg_ctlcluster 15 main start) or set JDBC_URL, JDBC_USER, JDBC_PASSWORD", e);
        } catch (RuntimeException e) {
            // the driver refused the URL (HikariCP quotes it, masking only query-parameter passwords)
            throw new StoreException("cannot open a connection pool for " + options.redactedUrl() + " ("
                    + StoreOptions.redact(rootMessage(e)) + "): fix JDBC_URL", null);
        }
    }

    /** The timeouts of {@link DbTimeouts}, set once per session when the pool opens it. */
    static String sessionSettings(StoreOptions options) {
        DbTimeouts t = options.timeouts();
        if (options.isPostgres()) {
            return "SET lock_timeout = " + t.lock().toMillis() + "; SET statement_timeout = " + t.statement().toMillis()
                    + "; SET idle_in_transaction_session_timeout = " + t.idleInTransaction().toMillis();
        }
        return "SET LOCK_TIMEOUT " + t.lock().toMillis() + "; SET QUERY_TIMEOUT " + t.statement().toMillis();
    }

    @Override
    public void ensureBookkeeping() {
        createIfMissing(LEDGER, "CREATE TABLE IF NOT EXISTS " + LEDGER + " ("
                + "migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, segment INT NOT NULL, "
                + "start_cursor VARCHAR(4000) NOT NULL, next_cursor VARCHAR(4000), processed INT NOT NULL, "
                + "done BOOLEAN NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, "
                + "PRIMARY KEY (migration, run_id, segment, start_cursor))");
        createIfMissing(FENCE, "CREATE TABLE IF NOT EXISTS " + FENCE + " ("
                + "migration VARCHAR(200) NOT NULL, segment INT NOT NULL, run_id VARCHAR(64) NOT NULL, "
                + "position VARCHAR(4000), end_cursor VARCHAR(4000), batch_size INT NOT NULL, state VARCHAR(8) NOT NULL, "
                + "updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, PRIMARY KEY (migration, segment))");
        createIfMissing(DATABASE, "CREATE TABLE IF NOT EXISTS " + DATABASE + " (singleton INT PRIMARY KEY CHECK (singleton = 1),"
                + " id VARCHAR(36) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
        createIfMissing(COORDINATOR, "CREATE TABLE IF NOT EXISTS " + COORDINATOR + " (coordinator_group VARCHAR(255)"
                + " PRIMARY KEY, epoch BIGINT NOT NULL, taken_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
        // the first process names the database; the others' insert meets the primary key and is let go
        createIfMissing(DATABASE, "INSERT INTO " + DATABASE + " (singleton, id) SELECT 1, '" + UUID.randomUUID()
                + "' WHERE NOT EXISTS (SELECT 1 FROM " + DATABASE + ")");
    }

    @Override
    public String databaseId() {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM " + DATABASE + " WHERE singleton = 1")) {
            String id = rs.next() ? rs.getString(1) : null;
            c.commit();
            if (id == null) {
                throw new StoreException(DATABASE + " in " + url + " has no id: set up the bookkeeping first", null);
            }
            return id;
        } catch (SQLException e) {
            throw Sql.failure("cannot read this database's id from " + DATABASE, e);
        }
    }

    private void createIfMissing(String table, String ddl) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            try {
                st.execute(ddl);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                // PostgreSQL: processes starting together race on IF NOT EXISTS; the loser sees the table, its row
                // type or its catalog row as a duplicate (42P07, 42710, 23505), and the table is there all the same
                if (!Sql.isUniqueViolation(e) && !"42P07".equals(e.getSQLState()) && !"42710".equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot create the table " + table + " in " + url, e);
        }
    }

    @Override
    public CoordinatorEpoch takeOver(String group) {
        return inTransaction("cannot take over as the coordinator of " + group, c -> EpochTable.next(c, group));
    }

    @Override
    public RunFence writeFence(RunFence fence) {
        return writeFence(fence, null);
    }

    @Override
    public RunFence writeFence(RunFence fence, CoordinatorEpoch epoch) {
        return inTransaction("cannot write the fence of " + fence.migration() + " (run " + fence.runId() + ")", c -> {
            if (epoch != null) {
                EpochTable.check(c, epoch, sql.postgres());
            }
            return FenceTable.write(c, fence, sql.postgres());
        });
    }

    /** Work on one connection of the pool in one transaction: committed when it returns, else rolled back. */
    private interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T inTransaction(String failure, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw Sql.failure(failure, e);
        }
    }

    @Override
    public Optional<RunFence> readFence(String migration) {
        return inTransaction("cannot read the fence of " + migration, c -> FenceTable.read(c, migration));
    }

    @Override
    public List<LedgerEntry> followLedger(BatchKey start, String until, int max) {
        return inTransaction("cannot read the ledger", c -> LedgerTable.chain(c, start, until, max));
    }

    @Override
    public BatchTransaction begin(TableWalk walk) {
        TableInfo info = table(walk.table());
        KeyOrder order = new KeyOrder(info, walk.range());
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw Sql.failure("cannot get a connection to " + url, e);
        }
        return new JdbcBatchTransaction(c, sql, info, order, this);
    }

    @Override
    public void checkWalk(TableWalk walk, List<String> cursors) {
        TableInfo info = tables.refresh(walk.table(), () -> readTable(walk.table()));
        KeyOrder order = new KeyOrder(info, walk.range());
        cursors.forEach(order::checkStartingCursor);
    }

    @Override
    public List<String> keyColumns(TableWalk walk) {
        return new KeyOrder(table(walk.table()), walk.range()).columns();
    }

    @Override
    public long countRows(TableWalk walk) {
        TableInfo info = table(walk.table());
        KeyOrder order = new KeyOrder(info, walk.range());
        String q = "SELECT COUNT(*) FROM " + info.sqlName() + " WHERE " + order.where(null, null);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(q)) {
            order.bind(sql, ps, 1, null, null);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                c.commit();
                return n;
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot count the rows of " + info.describe(), e);
        }
    }

    @Override
    public List<String> splitPoints(TableWalk walk, long rows, int segments) {
        if (segments < 2 || rows < segments) {
            return new ArrayList<>();
        }
        TableInfo info = table(walk.table());
        try (Connection c = pool.getConnection()) {
            int isolation = c.getTransactionIsolation();
            try {
                List<String> points = SplitPointQueries.read(c, sql, info, new KeyOrder(info, walk.range()), rows,
                        segments);
                c.commit();
                return points;
            } finally {
                c.rollback();
                c.setTransactionIsolation(isolation);
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot sample split points of " + info.describe(), e);
        }
    }

    /**
     * Drops a connection whose transaction was abandoned: closes it at once (the database rolls back and
     * releases its locks) instead of returning it to the pool.
     */
    void evict(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            // closing it below is what matters
        }
        pool.evictConnection(c);
    }

    /** The table's metadata ({@link MetadataCache}), read on a connection of the pool when not fresh. */
    TableInfo table(String name) {
        return tables.get(name, () -> readTable(name));
    }

    private TableInfo readTable(String name) {
        try (Connection c = pool.getConnection()) {
            TableInfo read = readTable(name, c);
            c.commit();
            return read;
        } catch (SQLException e) {
            throw Sql.failure("cannot read the metadata of table " + name, e);
        }
    }

    /**
     * The table's metadata ({@link MetadataCache}), read when not fresh on a batch's own connection: a
     * {@code migrateOne} that reaches another table through {@code ctx.db()} must not wait for a second connection
     * of the pool, which its own batch and the batches beside it may all be holding (they would wait for each other
     * until the batch deadline).
     */
    TableInfo table(String name, Connection inTransaction) {
        return tables.get(name, () -> readTable(name, inTransaction));
    }

    /** The columns of a table and their types ({@link MetadataCache}), on the batch's own connection (see {@link #table}). */
    TableColumns columnTypes(TableInfo table, Connection inTransaction) {
        return columnTypes.get(table.sqlName(), () -> {
            try {
                return TableColumns.read(inTransaction, table.sqlName());
            } catch (SQLException e) {
                throw Sql.failure("cannot read the column types of table " + table.describe(), e);
            }
        });
    }

    private TableInfo readTable(String name, Connection c) {
        TableName parsed = TableName.parse(name);
        try {
            return TableCatalog.read(c, sql.postgres(), parsed, url);
        } catch (SQLException e) {
            throw Sql.failure("cannot read the metadata of table " + parsed.describe(), e);
        }
    }

    @Override
    public long replicaLagBytes() {
        return !sql.postgres() ? 0 : inTransaction("cannot read the replication lag (pg_stat_replication needs the"
                + " pg_monitor role)", HealthQueries::replicaLagBytes);
    }

    @Override
    public long lockWaitMillis() {
        return !sql.postgres() ? 0 : inTransaction("cannot read the application's lock waits (pg_stat_activity of other"
                + " roles' sessions needs the pg_monitor role)", HealthQueries::lockWaitMillis);
    }

    @Override
    public long readNumber(String query) {
        return inTransaction("the throttle query failed", c -> HealthQueries.readNumber(c, query));
    }

    @Override
    public String describe() {
        return url;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
