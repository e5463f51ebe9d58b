package dev.keyway.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Task;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.RunFence;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import dev.keyway.store.TableWalk;
import dev.keyway.batch.LocalWorker;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a migration to completion in the test's own process, without Kafka, a coordinator or a worker process, on
 * a real database: a fresh in-memory H2 database ({@link #h2()}) or one the test names ({@link #on}).
 *
 * <pre>{@code
 * try (MigrationHarness db = MigrationHarness.h2()) {
 *     db.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(200))",
 *             "INSERT INTO users VALUES (1, 'Ada@Example.com')");
 *     RunResult result = db.runToCompletion(myMigration).assertSucceeded();
 *     assertEquals(1, result.rowsPatched());
 * }
 * }</pre>
 *
 * <p>Batches go through the workers' own batch path ({@link LocalWorker}, the {@code BatchProcessor} a deployed
 * worker runs) and the store the services use: a run writes a fence for a new run id, as a coordinator does, and
 * walks each segment from its start, handing in one task per batch; every batch is one database transaction that
 * checks and moves the fence, reads and locks its page, calls {@code migrateOne} (with {@code ctx.db()} in the
 * batch's transaction) within the batch deadline, writes the patches and records the batch in the ledger. What
 * differs from a deployment: batches have the migration's {@code batchSize} rows (they are not sized by time),
 * the segments ({@code withSegments}, else one) are walked one after the other, and a batch that waited past the
 * lock timeout or met a retriable database error is handed in again up to {@value #RETRIES} times at once instead
 * of later.
 *
 * <p>The harness creates Keyway's bookkeeping tables ({@code keyway_ledger}, {@code keyway_fence},
 * {@code keyway_database}) in the database. Point it only at a test database: a run replaces the fence of any run
 * of a migration of the same name there. Not thread-safe: one run at a time. Close it to close its connection
 * pool and, for {@link #h2()}, to drop the in-memory database.
 */
public final class MigrationHarness implements AutoCloseable {

    /** How many times a task is handed in again after a lock wait past the lock timeout or a retriable error. */
    static final int RETRIES = 3;
    private static final String WORKER_NAME = "harness";

    private final StoreOptions options;
    private final boolean inMemory;
    private final Store store;
    private final Scheduler calls;
    private Duration batchDeadline = LocalWorker.DEFAULT_BATCH_DEADLINE;

    private MigrationHarness(StoreOptions options, boolean inMemory) {
        this.options = options;
        this.inMemory = inMemory;
        this.store = Store.open(options);
        try {
            store.ensureBookkeeping();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        // as a worker's: a migrateOne call that hangs keeps its thread, the batch fails at the deadline
        this.calls = Schedulers.newBoundedElastic(32, 10_000, "keyway-harness-migrate-one");
    }

    /**
     * A fresh, empty in-memory H2 database (user {@code sa}, no password), dropped when the harness closes. Unquoted
     * names are lower case, as in PostgreSQL ({@code DATABASE_TO_LOWER=TRUE}): {@code CREATE TABLE users (id ..)}
     * makes the table {@code users} with the column {@code id}, the names a migration uses (Keyway quotes them).
     */
    public static MigrationHarness h2() {
        String url = "jdbc:h2:mem:keyway-harness-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE";
        return new MigrationHarness(StoreOptions.of(url, "sa", ""), true);
    }

    /**
     * A database the test provides: PostgreSQL ({@code jdbc:postgresql:..}) or H2 ({@code jdbc:h2:..}); it stays
     * when the harness closes. Throws {@link IllegalArgumentException} for another URL and {@link StoreException}
     * when the database cannot be reached.
     */
    public static MigrationHarness on(String jdbcUrl, String user, String password) {
        return new MigrationHarness(StoreOptions.of(jdbcUrl, user, password), false);
    }

    /**
     * How long all {@code migrateOne} calls of one batch may take (default 5 s, the workers' default
     * {@code BATCH_DEADLINE_MS}), for the runs after this call; raise it to step through a migration in a
     * debugger. Returns this harness.
     */
    public MigrationHarness withBatchDeadline(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the batch deadline must be positive, but was " + deadline);
        }
        this.batchDeadline = deadline;
        return this;
    }

    /** The database's JDBC URL. */
    public String jdbcUrl() {
        return options.jdbcUrl();
    }

    /** A new connection to the database, in auto-commit mode; the caller closes it. */
    public Connection connection() throws SQLException {
        return DriverManager.getConnection(options.jdbcUrl(), options.user(), options.password());
    }

    /** Runs each statement in turn (table definitions, test rows), each committed on its own. */
    public void execute(String... statements) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /** The first column of the first row of a query, as a number (for checks: {@code SELECT COUNT(*) ..}). */
    public long queryLong(String sql) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("the query returned no row: " + sql);
            }
            return rs.getLong(1);
        }
    }

    /**
     * Runs the migration over its whole walk (its table, or its custom range) as a new run, batch by batch, and
     * returns how it ended: every batch committed, or the run stopped at the first batch that failed (that batch
     * rolled back, the ones before it committed, and the result names the error and the document). Running the
     * same migration again starts another run from the start, as {@code bin/migrate run} of a migration that
     * succeeded does.
     *
     * @throws StoreException when the database cannot be used at all (setting up the run, or a retriable error
     *     that outlasted the retries)
     */
    public RunResult runToCompletion(Migration migration) {
        Objects.requireNonNull(migration, "migration must not be null");
        PatchCount patches = new PatchCount();
        Migration m = patches.around(migration);
        String runId = WORKER_NAME + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<RunFence.Segment> segments = segments(m);
        store.writeFence(new RunFence(m.name(), runId, m.batchSize(), true, segments));
        LocalWorker worker = new LocalWorker(store, MigrationCatalog.of(List.of(m)), calls, batchDeadline, WORKER_NAME);
        long rows = 0;
        long patched = 0;
        int batches = 0;
        for (RunFence.Segment segment : segments) {
            String cursor = segment.position();
            boolean done = false;
            while (!done) {
                Event outcome = apply(worker, new Task.ProcessBatch(
                        new BatchKey(m.name(), runId, segment.index(), cursor), segment.end(), m.batchSize(), false),
                                patches);
                if (!(outcome instanceof Event.BatchCompleted)) {
                    return new RunResult(m.name(), rows, patched, batches, error(outcome), documentId(outcome));
                }
                Event.BatchCompleted c = (Event.BatchCompleted) outcome;
                if (!c.done() && Objects.equals(c.nextCursor(), cursor)) {
                    throw new IllegalStateException("the walk of " + m.name() + " did not move past cursor " + cursor
                            + " of segment " + segment.index() + ": a Keyway bug, please report it");
                }
                rows += c.processed();
                // a batch found in the ledger was applied by an earlier attempt whose answer was lost: its
                // patches were not counted by this one
                patched += c.replayed() ? 0 : patches.count();
                batches++;
                cursor = c.nextCursor();
                done = c.done();
            }
        }
        return new RunResult(m.name(), rows, patched, batches, null, null);
    }

    /**
     * Applies the first batch of the migration's walk ({@code batchSize} rows from the start) and rolls it back,
     * as {@code bin/migrate run --dry-run} does, and reports what it would change. Writes nothing but the dry run's
     * own fence row, opened for it and closed after it as a coordinator does.
     */
    public DryRunResult dryRun(Migration migration) {
        Objects.requireNonNull(migration, "migration must not be null");
        LocalWorker worker = new LocalWorker(store, MigrationCatalog.of(List.of(migration)), calls, batchDeadline,
                WORKER_NAME);
        String runId = "dry-" + WORKER_NAME + "-" + UUID.randomUUID().toString().substring(0, 8);
        store.writeFence(RunFence.dryRun(migration.name(), runId, null, migration.batchSize(), true));
        Event outcome = apply(worker, new Task.ProcessBatch(new BatchKey(migration.name(), runId, 0, null),
                null, migration.batchSize(), true), new PatchCount());
        store.writeFence(RunFence.dryRun(migration.name(), runId, null, 0, false));
        if (!(outcome instanceof Event.BatchCompleted)) {
            return new DryRunResult(0, List.of(), 0, error(outcome), documentId(outcome));
        }
        Event.BatchCompleted c = (Event.BatchCompleted) outcome;
        List<DryRunResult.Change> changes = c.changes().stream()
                .map(d -> new DryRunResult.Change(d.id(), d.before(), d.after())).toList();
        return new DryRunResult(c.processed(), changes, c.omitted(), null, null);
    }

    /** The segments of a new run: one, or the migration's count split at the store's split points. */
    private List<RunFence.Segment> segments(Migration m) {
        List<String> points = List.of();
        if (m.segments() > 1) {
            TableWalk walk = new TableWalk(m.table(), m.customRange());
            points = store.splitPoints(walk, store.countRows(walk), m.segments());
        }
        List<RunFence.Segment> segments = new ArrayList<>();
        for (int i = 0; i <= points.size(); i++) {
            segments.add(new RunFence.Segment(i, i == 0 ? null : points.get(i - 1),
                    i == points.size() ? null : points.get(i), false));
        }
        return segments;
    }

    /** One task's outcome; a lock wait past the timeout or a retriable error hands the task in again. */
    private static Event apply(LocalWorker worker, Task.ProcessBatch task, PatchCount patches) {
        for (int attempt = 0; ; attempt++) {
            patches.reset();
            try {
                Event outcome = worker.apply(task);
                if (!(outcome instanceof Event.BatchDelayed) || attempt == RETRIES) {
                    return outcome;
                }
            } catch (StoreException e) {
                if (!StoreException.isRetriable(e) || attempt == RETRIES) {
                    throw e;
                }
            }
        }
    }

    private static String error(Event outcome) {
        if (outcome instanceof Event.BatchFailed) {
            return ((Event.BatchFailed) outcome).error();
        }
        if (outcome instanceof Event.BatchDelayed) {
            return "the batch waited past the lock timeout " + (RETRIES + 1) + " times: "
                    + ((Event.BatchDelayed) outcome).reason();
        }
        if (outcome instanceof Event.BatchSkipped) {
            return "the fence refused the batch (is a coordinator running a migration of the same name on this"
                    + " database?): " + ((Event.BatchSkipped) outcome).reason();
        }
        return "unexpected outcome " + outcome;
    }

    private static String documentId(Event outcome) {
        return outcome instanceof Event.BatchFailed ? ((Event.BatchFailed) outcome).documentId() : null;
    }

    /** Closes the connection pool; drops the database of {@link #h2()}. */
    @Override
    public void close() {
        calls.dispose();
        store.close();
        if (inMemory) {
            try (Connection c = connection(); Statement st = c.createStatement()) {
                st.execute("SHUTDOWN");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop the in-memory database " + options.jdbcUrl() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * Counts the patches {@code migrateOne} returns, around the user's function: the batch path itself reports
     * rows, not patches. Reset before each task, read after it.
     */
    private static final class PatchCount {
        private final AtomicLong count = new AtomicLong();

        Migration around(Migration m) {
            MigrateOne user = m.migrateOne();
            MigrateOne counting = (ctx, doc) -> {
                ObjectNode patch = user.migrateOne(ctx, doc);
                if (patch != null) {
                    count.incrementAndGet();
                }
                return patch;
            };
            return new Migration(m.name(), m.table(), counting, m.batchSize(), m.parallelize(), m.customRange(),
                    m.segments(), m.targetBatchMillis(), m.maxQuarantined(), m.beforeImages());
        }

        void reset() {
            count.set(0);
        }

        long count() {
            return count.get();
        }
    }
}
