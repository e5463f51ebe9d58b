package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.MariaDbServers;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.CoordinatorEpoch;
import dev.keyway.store.CoordinatorFencedException;
import dev.keyway.store.DbTimeouts;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.Page;
import dev.keyway.store.RunFence;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.SliceProgress;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import dev.keyway.store.TableWalk;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A batch's transaction on every database: the ledger records a batch once, the fence orders batches and run
 * changes, rows are locked for the batch, and every pooled session has its timeouts.
 */
class StoreTransactionsIT {

    @TempDir
    static Path h2Dir;

    static Stream<String> databases() {
        return Stream.of("postgres", "mariadb", "h2");
    }

    /** The databases with a lock-wait signal. */
    static Stream<String> productionDatabases() {
        return Stream.of("postgres", "mariadb");
    }

    /**
     * The application, for the lock-wait signal: on MariaDB Keyway's sessions are those of Keyway's user, so the
     * application is another user there (the administrator).
     */
    private static Sql application(TestDatabase db) {
        return !db.isMariaDb() ? new Sql(Sql.options(db))
                : new Sql(StoreOptions.of(db.jdbcUrl(), MariaDbServers.adminUser(), MariaDbServers.adminPassword()));
    }

    private static TestDatabase open(String kind) {
        return TestDatabase.of(kind, h2Dir);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theLedgerRecordsABatchOnlyOnceAndFollowsASegmentsChainOfBatches(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            LedgerEntry e = new LedgerEntry(new BatchKey("m", "r", 0, null), "[2]", 2, false);
            LedgerEntry second = new LedgerEntry(new BatchKey("m", "r", 0, "[2]"), "[4]", 2, false);
            LedgerEntry last = new LedgerEntry(new BatchKey("m", "r", 0, "[4]"), "[5]", 1, true);
            LedgerEntry otherSegment = new LedgerEntry(new BatchKey("m", "r", 1, "[2]"), "[3]", 1, false);
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                assertTrue(tx.recordLedger(e));
                assertTrue(tx.recordLedger(second));
                assertTrue(tx.recordLedger(last));
                assertTrue(tx.recordLedger(otherSegment));
                tx.commit();
            }
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                assertEquals(e, tx.findLedger(e.key()).orElseThrow());
                assertFalse(tx.recordLedger(e));
            }
            assertEquals(List.of(e, second), store.followLedger(e.key(), "[4]", 100), "up to where the outcome said");
            assertEquals(new SliceProgress("[4]", 4, false, 2),
                    SliceProgress.of(store.followLedger(e.key(), "[4]", 100)).orElseThrow());
            assertEquals(List.of(e, second, last), store.followLedger(e.key(), "[99]", 100), "a claim past it: the truth");
            assertEquals(List.of(e), store.followLedger(e.key(), "[5]", 1), "no more than asked");
            assertEquals(List.of(second, last), store.followLedger(second.key(), null, 100), "to the segment's end");
            assertTrue(store.followLedger(new BatchKey("m", "other-run", 0, null), "[4]", 100).isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aNewRunsFenceWaitsForTheBatchInFlightAndThenShutsOutTheOldRun(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            store.writeFence(new RunFence("m", "old", 10, true, List.of(new RunFence.Segment(0, null, null, false))));
            CompletableFuture<Void> replaced;
            try (BatchTransaction batch = store.begin(new TableWalk("items", null))) {
                SegmentFence held = batch.lockFence("m", 0).orElseThrow();
                assertEquals("old", held.runId());
                assertEquals(SegmentFence.State.OPEN, held.state());
                replaced = CompletableFuture.runAsync(() -> store.writeFence(
                        new RunFence("m", "new", 10, true, List.of(new RunFence.Segment(0, null, null, false)))));
                assertThrows(TimeoutException.class, () -> replaced.get(300, TimeUnit.MILLISECONDS),
                        "the coordinator waits for the batch holding the fence");
                batch.advanceFence("m", 0, "[5]", false);
                batch.commit();
            }
            replaced.get(10, TimeUnit.SECONDS);
            try (BatchTransaction late = store.begin(new TableWalk("items", null))) {
                SegmentFence now = late.lockFence("m", 0).orElseThrow();
                assertEquals("new", now.runId(), "a task of the old run now finds another run");
                assertNull(now.position(), "the new run starts at its own position, not where the old one got");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBatchsLedgerRowAndItsFenceMoveGoTogetherAndOnlyOnce(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            store.writeFence(new RunFence("m", "r", 10, true, List.of(new RunFence.Segment(0, null, null, false))));
            LedgerEntry last = new LedgerEntry(new BatchKey("m", "r", 0, null), "[5]", 5, true);
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                tx.lockFence("m", 0).orElseThrow();
                assertTrue(tx.recordLedgerAndAdvance(last));
                tx.commit();
            }
            SegmentFence moved;
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                moved = tx.lockFence("m", 0).orElseThrow();
                assertFalse(tx.recordLedgerAndAdvance(new LedgerEntry(last.key(), "[9]", 9, false)),
                        "the ledger holds the batch already");
            }
            assertEquals("[5]", moved.position());
            assertEquals(SegmentFence.State.DONE, moved.state());
            assertEquals(List.of(last), store.followLedger(last.key(), null, 10));
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                assertEquals(moved, tx.lockFence("m", 0).orElseThrow(), "the refused entry moved nothing");
            }
            // how a batch starts: its fence row locked, and its ledger entry if it was applied already
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                BatchTransaction.BatchStart replay = tx.lockFenceAndFindLedger(last.key());
                assertEquals(moved, replay.fence().orElseThrow());
                assertEquals(last, replay.applied().orElseThrow());
                BatchTransaction.BatchStart next = tx.lockFenceAndFindLedger(last.key().at("[5]"));
                assertEquals(moved, next.fence().orElseThrow());
                assertTrue(next.applied().isEmpty());
                BatchTransaction.BatchStart elsewhere = tx.lockFenceAndFindLedger(new BatchKey("m", "r", 7, null));
                assertTrue(elsewhere.fence().isEmpty() && elsewhere.applied().isEmpty(), elsewhere.toString());
            }
        }
    }

    /**
     * A configure rewrites the fence of a running run while batches wait on its rows. The batch that waited must find
     * its segment afterwards: when the fence was deleted and inserted again, PostgreSQL's locking read of a deleted
     * row returned nothing, the worker skipped the task as a replaced run's, and the segment stood still for good
     * (PauseIT's configure, found by the clean-clone CI run).
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aBatchThatWaitedOnAConfigureOfItsRunStillFindsItsSegment(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            List<RunFence.Segment> plan = List.of(new RunFence.Segment(0, null, "[3]", false),
                    new RunFence.Segment(1, "[3]", null, false));
            store.writeFence(new RunFence("m", "r", 10, true, plan));
            CompletableFuture<RunFence> configured;
            CompletableFuture<SegmentFence> waited;
            try (BatchTransaction first = store.begin(new TableWalk("items", null))) {
                first.lockFence("m", 0).orElseThrow();
                configured = CompletableFuture.supplyAsync(() -> store.writeFence(new RunFence("m", "r", 25, true, plan)));
                assertThrows(TimeoutException.class, () -> configured.get(300, TimeUnit.MILLISECONDS),
                        "the configure waits for the batch holding the fence");
                waited = CompletableFuture.supplyAsync(() -> {
                    try (BatchTransaction next = store.begin(new TableWalk("items", null))) {
                        return next.lockFence("m", 0).orElse(null);
                    }
                });
                assertThrows(TimeoutException.class, () -> waited.get(300, TimeUnit.MILLISECONDS),
                        "the next batch waits behind both");
                first.advanceFence("m", 0, "[1]", false);
                first.commit();
            }
            assertEquals(25, configured.get(10, TimeUnit.SECONDS).batchSize());
            SegmentFence seen = waited.get(10, TimeUnit.SECONDS);
            assertTrue(seen != null, "the waiting batch found no fence row for its segment: its task would be skipped");
            assertEquals("r", seen.runId());
            assertEquals("[1]", seen.position(), "where the first batch left it");
            assertEquals(SegmentFence.State.OPEN, seen.state());
            assertEquals(2, store.readFence("m").orElseThrow().segments().size());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCoordinatorWhoseTurnAnotherTookWritesNoFence(String kind) throws Exception {
        // issue 15 (the chaos test's seed 1127): a coordinator frozen mid-record wakes after a standby took over and
        // re-planned the run; the fence it then wrote for its own plan stayed, though its Kafka transaction failed
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            CoordinatorEpoch frozen = store.takeOver("p.coordinator");
            CoordinatorEpoch other = store.takeOver("q.coordinator");
            RunFence plan = new RunFence("m", "r", 10, true, List.of(new RunFence.Segment(0, null, null, false)));
            store.writeFence(plan, frozen);
            CoordinatorEpoch standby = store.takeOver("p.coordinator");
            assertEquals(frozen.epoch() + 1, standby.epoch());

            RunFence stale = new RunFence("m", "r", 10, true, List.of(new RunFence.Segment(0, null, "[2]", false),
                    new RunFence.Segment(1, "[2]", null, false)));
            CoordinatorFencedException refused = assertThrows(CoordinatorFencedException.class,
                    () -> store.writeFence(stale, frozen));
            assertTrue(refused.getMessage().contains("another one took over"), refused.getMessage());
            assertEquals(plan.segments(), store.readFence("m").orElseThrow().segments(), "nothing written");
            store.writeFence(stale, standby);
            assertEquals(2, store.readFence("m").orElseThrow().segments().size(), "the one whose turn it is writes");
            store.writeFence(new RunFence("n", "r", 10, true, List.of()), other);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theFenceReadsBackAsWrittenAndAsItsBatchesMovedItSoARunIsNeverPlannedTwice(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            assertTrue(store.readFence("m").isEmpty(), "never fenced");
            List<RunFence.Segment> plan = List.of(new RunFence.Segment(0, null, "[2]", false),
                    new RunFence.Segment(1, "[2]", "[4]", false), new RunFence.Segment(2, "[4]", null, false));
            store.writeFence(new RunFence("m", "r", 10, true, plan));
            try (BatchTransaction batch = store.begin(new TableWalk("items", null))) {
                batch.lockFence("m", 1).orElseThrow();
                batch.advanceFence("m", 1, "[4]", true);
                batch.commit();
            }
            RunFence read = store.readFence("m").orElseThrow();
            assertEquals("r", read.runId());
            assertTrue(read.open());
            assertEquals(List.of(plan.get(0), new RunFence.Segment(1, "[4]", "[4]", true), plan.get(2)), read.segments());

            store.writeFence(RunFence.dryRun("m", "dry-1", "[1]", 3, true));
            assertEquals(3, store.readFence("m").orElseThrow().segments().size(), "a dry run's row is not the run's");
            store.writeFence(new RunFence("m", "next", 10, false, List.of()));
            assertTrue(store.readFence("m").isEmpty(), "a new run being planned has no segments yet");
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                SegmentFence dry = tx.lockFence("m", RunFence.DRY_RUN).orElseThrow();
                assertEquals("dry-1", dry.runId(), "the run's fence leaves the dry run's row alone");
                assertEquals(SegmentFence.State.OPEN, dry.state());
            }
            store.writeFence(RunFence.dryRun("m", "dry-1", "[1]", 0, false));
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                assertEquals(SegmentFence.State.DONE, tx.lockFence("m", RunFence.DRY_RUN).orElseThrow().state());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aResumedRunKeepsThePositionItsBatchesReachedAndACanceledOneIsClosed(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(5);
            store.ensureBookkeeping();
            store.writeFence(new RunFence("m", "r", 10, true, List.of(new RunFence.Segment(0, null, "[9]", false))));
            try (BatchTransaction batch = store.begin(new TableWalk("items", null))) {
                batch.lockFence("m", 0).orElseThrow();
                batch.advanceFence("m", 0, "[3]", false);
                batch.commit();
            }
            RunFence written = store.writeFence(new RunFence("m", "r", 10, false,
                    List.of(new RunFence.Segment(0, null, "[9]", false))));
            assertEquals(List.of(new RunFence.Segment(0, "[3]", "[9]", false)), written.segments(),
                    "the fence as written tells the coordinator where the batches got");
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                SegmentFence canceled = tx.lockFence("m", 0).orElseThrow();
                assertEquals(SegmentFence.State.CLOSED, canceled.state());
                assertEquals("[3]", canceled.position(), "the coordinator had not heard of that batch yet");
                assertEquals("[9]", canceled.end());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBatchLocksItsRowsSoAConcurrentApplicationWriteWaitsAndIsNotLost(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(10);
            try (BatchTransaction tx = store.begin(new TableWalk("items", null));
                 Connection app = sql.connect(); Statement st = app.createStatement()) {
                List<ObjectNode> page = tx.readPage(null, null, 5).documents();
                st.execute(switch (kind) {
                    case "postgres" -> "SET lock_timeout = '300ms'";
                    case "mariadb" -> "SET SESSION innodb_lock_wait_timeout = 1";
                    default -> "SET LOCK_TIMEOUT 300";
                });
                assertThrows(SQLException.class, () -> st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = 3"),
                        "the application's write waits for the batch");
                JsonNodeFactory f = JsonNodeFactory.instance;
                tx.patchAll(Map.of(page.get(2).get("id"), f.objectNode().put("counter", page.get(2).get("counter").asInt() + 1)));
                tx.commit();
                if (!app.getAutoCommit()) {
                    app.rollback();
                }
                assertEquals(1, st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = 3"));
            }
            assertEquals(1, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"id\" = 3 AND \"note\" = 'app' AND \"counter\" = 1"));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void migrateOneReachesAnotherTableOnItsBatchsConnectionEvenWhenThePoolIsTaken(String kind) throws Exception {
        // every connection of the pool held by batches (here, one of one): reading the other table's metadata must
        // not wait for a second connection (the demo's batches waited for each other until their deadline)
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db).withPoolSize(1))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(3);
            sql.exec("CREATE TABLE \"other\" (\"id\" BIGINT PRIMARY KEY, \"v\" INT)",
                    "INSERT INTO \"other\" VALUES (1, 7)");
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                tx.readPage(null, null, 3);
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> tx.db().query("other")
                        .eq("id", JsonNodeFactory.instance.numberNode(1)).first().orElseThrow().get("v").asInt());
                assertEquals(7, read.get(5, TimeUnit.SECONDS));
                tx.commit();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("productionDatabases")
    void theLockWaitSignalSeesTheApplicationWaitingOnABatchAndOnlyThen(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = application(db);
            sql.items(10);
            assertEquals(0, store.lockWaitMillis(), "nobody waits");
            try (Connection holder = sql.connect(); Statement st = holder.createStatement()) {
                // the application waiting on the application: not Keyway's doing
                holder.setAutoCommit(false);
                st.executeUpdate("UPDATE \"items\" SET \"note\" = 'a' WHERE \"id\" = 7");
                CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> appUpdate(sql, 7));
                awaitLockWait(sql, "the application's update never waited for the application's lock");
                assertEquals(0, store.lockWaitMillis());
                holder.rollback();
                assertEquals(1, blocked.get(5, TimeUnit.SECONDS));
            }
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                tx.readPage(null, null, 5); // Keyway's batch locks rows 1-5
                CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> appUpdate(sql, 3));
                awaitLockWait(sql, "the application's update never waited for the batch's lock");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                long wait;
                while ((wait = store.lockWaitMillis()) < 300) {
                    assertTrue(System.nanoTime() < deadline, "the signal never saw the wait grow past 300 ms: " + wait);
                    pollPause(sql);
                }
                assertTrue(wait < 5_000, "the application has waited " + wait + " ms");
                tx.commit();
                assertEquals(1, waiting.get(5, TimeUnit.SECONDS));
            }
            assertEquals(0, store.lockWaitMillis());
        }
    }

    /**
     * Waits, up to 20 s, until a session of the test's database waits for a lock ({@code pg_stat_activity}; on
     * MariaDB {@code INNODB_LOCK_WAITS}): a statement that has been sent is not yet one that waits.
     */
    private static void awaitLockWait(Sql sql, String never) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String waiting = !sql.isMariaDb() ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND datname = current_database()"
                : "SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS l JOIN information_schema.INNODB_TRX w"
                + " ON w.trx_id = l.requesting_trx_id JOIN information_schema.PROCESSLIST p ON p.ID = w.trx_mysql_thread_id"
                + " WHERE p.DB = DATABASE()";
        while (sql.count(waiting) == 0) {
            assertTrue(System.nanoTime() < deadline, never);
            pollPause(sql);
        }
    }

    /**
     * Between two polls of InnoDB's lock views on MariaDB, 150 ms: InnoDB refreshes what {@code INNODB_TRX} and
     * {@code INNODB_LOCK_WAITS} show only when they were not read for 100 ms, so a loop that reads them without a pause
     * sees the same old picture for ever.
     */
    private static void pollPause(Sql sql) {
        if (sql.isMariaDb()) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
        } else {
            Thread.onSpinWait();
        }
    }

    private static int appUpdate(Sql sql, int id) {
        try (Connection c = sql.connect(); Statement st = c.createStatement()) {
            return st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = " + id);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void pooledSessionsWaitOutsideATransactionAndARowTheApplicationHoldsTimesTheBatchOut(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db).withPoolSize(1)
                .withTimeouts(DbTimeouts.defaults().withLock(java.time.Duration.ofMillis(300))))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(10);
            try (BatchTransaction first = store.begin(new TableWalk("items", null))) {
                first.readPage(null, null, 1); // and rolled back: the session's timeouts must survive it
            }
            if (kind.equals("postgres")) {
                try (Store full = Store.open(Sql.options(db))) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    String mine = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND pid <> pg_backend_pid()";
                    while (sql.count(mine) < 1 + StoreOptions.DEFAULT_POOL_SIZE) {
                        assertTrue(System.nanoTime() < deadline, "the pool never opened its sessions");
                        Thread.onSpinWait();
                    }
                    assertEquals(0, sql.count(mine + " AND state LIKE 'idle in transaction%'"),
                            "a pooled session sits in an open transaction: the idle-in-transaction timeout would end it");
                }
            }
            try (Connection app = sql.connect(); Statement st = app.createStatement()) {
                app.setAutoCommit(false);
                st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = 3");
                CompletableFuture<Page> batch = CompletableFuture.supplyAsync(() -> {
                    try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                        return tx.readPage(null, null, 5);
                    }
                });
                ExecutionException e = assertThrows(ExecutionException.class, () -> batch.get(10, TimeUnit.SECONDS));
                assertInstanceOf(LockTimeoutException.class, e.getCause(), e.getCause().toString());
                assertTrue(StoreException.isRetriable(e.getCause()));
                app.rollback();
            }
        }
    }

    @Test
    void aProcessThatLosesTheRaceToCreateTheBookkeepingTablesCarriesOn() throws Exception {
        try (TestDatabase db = TestDatabase.postgres(); Store store = Store.open(Sql.options(db));
             Connection other = new Sql(Sql.options(db)).connect(); Statement st = other.createStatement()) {
            Sql sql = new Sql(Sql.options(db));
            other.setAutoCommit(false);
            // another process is creating the ledger and has not committed yet
            st.execute("CREATE TABLE IF NOT EXISTS keyway_ledger (migration VARCHAR(200))");
            CompletableFuture<Void> mine = CompletableFuture.runAsync(store::ensureBookkeeping);
            awaitLockWait(sql, "ensureBookkeeping never waited for the other creation");
            other.commit();
            mine.get(20, TimeUnit.SECONDS); // the loser sees a duplicate (42710 or 23505), and the table is there
            assertEquals(1, sql.count("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'keyway_fence'"));
        }
    }
}
