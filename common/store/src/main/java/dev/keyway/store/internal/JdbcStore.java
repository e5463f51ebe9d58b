package dev.keyway.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagePage;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.QuarantinedDocument;
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

/** {@link Store} over a HikariCP pool, on any database that has a {@link Dialect}. */
public final class JdbcStore implements Store {

    static final String LEDGER = "keyway_ledger";
    static final String FENCE = "keyway_fence";
    static final String DATABASE = "keyway_database";
    static final String COORDINATOR = "keyway_coordinator";
    static final String QUARANTINE = "keyway_quarantine";
    static final String VERIFY = "keyway_verify";
    static final String UNDO_CONFLICTS = "keyway_undo_conflicts";
    static final String IMAGES = "keyway_images";

    private final HikariDataSource pool;
    private final Sql sql;
    private final String url;
    /** Per table, its key and columns ({@link MetadataCache}: read again after a while, to see schema changes). */
    private final MetadataCache<TableInfo> tables;
    /** Per table, the types a patch's values are written as (apart from TableInfo: values, not keys). */
    private final MetadataCache<TableColumns> columnTypes;
    /** The replicas named in the options, for the replication lag of a database whose primary cannot tell it. */
    private final ReplicaServers replicas;

    private JdbcStore(HikariDataSource pool, Dialect dialect, String url, ReplicaServers replicas, LongSupplier nanoTime) {
        this.pool = pool;
        this.replicas = replicas;
        this.sql = new Sql(dialect);
        this.url = url;
        this.tables = new MetadataCache<>(nanoTime);
        this.columnTypes = new MetadataCache<>(nanoTime);
    }

    public static JdbcStore open(StoreOptions options) {
        return open(options, System::nanoTime);
    }

    /** @param nanoTime the clock the table metadata's age is measured on ({@link MetadataCache}) */
    static JdbcStore open(StoreOptions options, LongSupplier nanoTime) {
        Dialect dialect = Dialect.of(options.jdbcUrl());
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(options.jdbcUrl());
        cfg.setUsername(options.user());
        cfg.setPassword(options.password());
        cfg.setMaximumPoolSize(options.poolSize());
        cfg.setAutoCommit(false);
        cfg.setPoolName("keyway-store");
        cfg.setConnectionTimeout(10_000);
        cfg.setConnectionInitSql(dialect.sessionSettings(options.timeouts()));
        dialect.isolation().ifPresent(cfg::setTransactionIsolation);
        // commit the settings: left in an open transaction, PostgreSQL would end the idle session after the
        // idle-in-transaction timeout, and a first transaction that rolls back would undo them
        cfg.setIsolateInternalQueries(true);
        dialect.dataSourceProperties().forEach(cfg::addDataSourceProperty);
        try {
            return new JdbcStore(new HikariDataSource(cfg), dialect, options.redactedUrl(),
                    new ReplicaServers(options.replicaUrls(), options.user(), options.password()), nanoTime);
        } catch (HikariPool.PoolInitializationException e) {
            throw new RetriableStoreException("cannot reach the database at " + options.redactedUrl() + " ("
                    + StoreOptions.redact(rootMessage(e)) + "): start it (PostgreSQL: pg_ctlcluster 15 main start;"
                    + " MariaDB: bin/ensure-mariadb) or set JDBC_URL, JDBC_USER, JDBC_PASSWORD", e);
        } catch (RuntimeException e) {
            // the driver refused the URL (HikariCP quotes it, masking only query-parameter passwords)
            throw new StoreException("cannot open a connection pool for " + options.redactedUrl() + " ("
                    + StoreOptions.redact(rootMessage(e)) + "): fix JDBC_URL", null);
        }
    }

    /** Whether a database of this JDBC URL has a dialect ({@link StoreOptions} refuses the others). */
    public static boolean supports(String jdbcUrl) {
        return Dialect.supports(jdbcUrl);
    }

    /** The supported databases and their URLs, for messages: {@code PostgreSQL (jdbc:postgresql:..) or H2 (jdbc:h2:..)}. */
    public static String supportedDatabases() {
        return Dialect.supported();
    }

    @Override
    public void ensureBookkeeping() {
        sql.dialect().bookkeepingTables().forEach(this::createIfMissing);
        sql.dialect().bookkeepingChanges().forEach((made, change) -> {
            if (!answers(made)) {
                createIfMissing(LEDGER, change);
            }
        });
        // the first process names the database; the others' insert meets the primary key and is let go
        createIfMissing(DATABASE, sql.dialect().nameDatabase(UUID.randomUUID().toString()));
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
            throw sql.failure("cannot read this database's id from " + DATABASE, e);
        }
    }

    /** True when the query runs (a column it reads is there). */
    private boolean answers(String query) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(query)) {
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                return false;
            }
        } catch (SQLException e) {
            throw sql.failure("cannot check the bookkeeping tables in " + url, e);
        }
    }

    private void createIfMissing(String table, String ddl) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            try {
                st.execute(ddl);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                // processes starting together race on IF NOT EXISTS; the loser may see the table, its row type or its
                // catalog row as a duplicate, and the table is there all the same
                Dialect.Failure failure = sql.dialect().classify(e);
                if (failure != Dialect.Failure.DUPLICATE_KEY && failure != Dialect.Failure.ALREADY_CREATED) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw sql.failure("cannot create the table " + table + " in " + url, e);
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
                EpochTable.check(c, epoch, sql);
            }
            return FenceTable.write(c, fence, sql);
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
            throw sql.failure(failure, e);
        }
    }

    @Override
    public Optional<RunFence> readFence(String migration) {
        return inTransaction("cannot read the fence of " + migration, c -> FenceTable.read(c, migration));
    }

    @Override
    public List<QuarantinedDocument> quarantined(String migration, int max) {
        return inTransaction("cannot read the quarantine", c -> DocumentList.QUARANTINE.list(c, sql, migration, max));
    }

    @Override
    public List<QuarantinedDocument> verifyFindings(String migration, int max) {
        return inTransaction("cannot read what the verify found", c -> DocumentList.VERIFY.list(c, sql, migration, max));
    }

    @Override
    public List<QuarantinedDocument> undoConflicts(String migration, int max) {
        return inTransaction("cannot read the undo's conflicts", c -> DocumentList.UNDO_CONFLICTS.list(c, sql, migration,
                max));
    }

    @Override
    public int clearVerifyFindings(String migration) {
        return inTransaction("cannot clear what the last verify found", c -> DocumentList.VERIFY.clear(c, sql, migration));
    }

    @Override
    public ImagePage images(String migration, String runId, String cursor, int limit) {
        return inTransaction("cannot read the before-images", c -> ImagesTable.page(c, sql, migration, runId, cursor,
                null, limit));
    }

    @Override
    public Optional<String> currentHash(String table, String key) {
        return inTransaction("cannot read row " + key + " of " + table, c -> {
            TableInfo t = table(table, c);
            return Optional.ofNullable(ImageRestore.currentHash(c, sql, t, columnTypes(t, c), key));
        });
    }

    @Override
    public List<ImagesOfRun> imageRuns(String migration) {
        return inTransaction("cannot list the before-images", c -> ImagesTable.runs(c, sql, migration));
    }

    @Override
    public long purgeImages(String migration, String runId) {
        long deleted = 0;
        String cursor = null;
        do {
            String after = cursor;
            ImagesTable.Purged chunk = inTransaction("cannot purge the before-images of " + migration + " run " + runId,
                    c -> ImagesTable.purgeChunk(c, sql, migration, runId, after, PURGE_CHUNK));
            deleted += chunk.rows();
            cursor = chunk.end();
        } while (cursor != null);
        return deleted;
    }

    @Override
    public List<LedgerEntry> followLedger(BatchKey start, String until, int max) {
        return inTransaction("cannot read the ledger", c -> LedgerTable.chain(c, sql, start, until, max));
    }

    @Override
    public BatchTransaction begin(TableWalk walk) {
        TableInfo info = table(walk.table());
        KeyOrder order = new KeyOrder(info, walk.range(), sql.dialect());
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw sql.failure("cannot get a connection to " + url, e);
        }
        return new JdbcBatchTransaction(c, sql, info, order, this);
    }

    @Override
    public void checkWalk(TableWalk walk, List<String> cursors) {
        TableInfo info = tables.refresh(walk.table(), () -> readTable(walk.table()));
        KeyOrder order = new KeyOrder(info, walk.range(), sql.dialect());
        cursors.forEach(order::checkStartingCursor);
    }

    @Override
    public List<String> keyColumns(TableWalk walk) {
        return new KeyOrder(table(walk.table()), walk.range(), sql.dialect()).columns();
    }

    @Override
    public long countRows(TableWalk walk) {
        TableInfo info = table(walk.table());
        KeyOrder order = new KeyOrder(info, walk.range(), sql.dialect());
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
            throw sql.failure("cannot count the rows of " + info.describe(), e);
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
                List<String> points = SplitPointQueries.read(c, sql, info, new KeyOrder(info, walk.range(), sql.dialect()), rows,
                        segments);
                c.commit();
                return points;
            } finally {
                c.rollback();
                c.setTransactionIsolation(isolation);
            }
        } catch (SQLException e) {
            throw sql.failure("cannot sample split points of " + info.describe(), e);
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
            throw sql.failure("cannot read the metadata of table " + name, e);
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
                return TableColumns.read(inTransaction, table.sqlName(), sql.dialect());
            } catch (SQLException e) {
                throw sql.failure("cannot read the column types of table " + table.describe(), e);
            }
        });
    }

    private TableInfo readTable(String name, Connection c) {
        TableName parsed = TableName.parse(name);
        try {
            return sql.dialect().readTable(c, parsed, url);
        } catch (SQLException e) {
            throw sql.failure("cannot read the metadata of table " + parsed.describe(), e);
        }
    }

    @Override
    public long replicaLagBytes() {
        return read(sql.dialect().replicaLag(replicas), "cannot read the replication lag (PostgreSQL:"
                + " pg_stat_replication needs the pg_monitor role; MariaDB: see docs/OPERATIONS.md)");
    }

    @Override
    public long lockWaitMillis() {
        return read(sql.dialect().lockWait(), "cannot read the application's lock waits (PostgreSQL: pg_stat_activity"
                + " of other roles' sessions needs the pg_monitor role; MariaDB: information_schema.INNODB_TRX needs the"
                + " PROCESS privilege)");
    }

    /** A health reading in its own transaction; 0 without a connection where the database has no such reading. */
    private long read(Optional<Dialect.Reading> reading, String failure) {
        return reading.isEmpty() ? 0 : inTransaction(failure, reading.get()::read);
    }

    /** An operator's throttle query; NULL is an error, no row is 0. */
    @Override
    public long readNumber(String query) {
        return inTransaction("the throttle query failed", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
                boolean row = rs.next();
                long v = row ? rs.getLong(1) : 0;
                if (row && rs.wasNull()) {
                    throw new StoreException("the throttle query returned NULL, not a number", null);
                }
                return v;
            }
        });
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
