package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.keyway.it.support.ProcessClusterTest;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exactly once when processes die: coordinator and workers run as separate OS processes on a real
 * broker and a real database; a migration adds 1 to a counter on every row, so any lost or repeated
 * batch shows up as a row whose counter is not exactly 1.
 *
 * <p>Every test runs on PostgreSQL; on MariaDB the cases that tell most about a database's part in exactly once
 * (they add about 65 s to the PostgreSQL runs' 160 s on this 2-core machine): workers SIGKILLed mid-batch, the
 * coordinator SIGKILLed (twice), a cancel whose fence write waits for the batches in flight as a worker dies, and
 * application writes to the rows being migrated. The others (on PostgreSQL only) exercise what does not depend on the database (time-sized batches and slices, a
 * SIGTERM, a frozen coordinator: its epoch and fence writes run on MariaDB in
 * StoreTransactionsIT.aCoordinatorWhoseTurnAnotherTookWritesNoFence) or PostgreSQL's own schema (a partitioned table
 * in a schema; composite keys on MariaDB: CompositeKeyIT).
 */
class CrashRecoveryIT extends ProcessClusterTest {

    private static final String MIGRATION = "incrementCounter";

    private final Random random = new Random(7);

    private long run() {
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withSegments(12)));
        return since;
    }

    private void awaitProcessed(long since, long atLeast) {
        cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= since
                && (s.progress().processed() >= atLeast || s.state() != MigrationState.IN_PROGRESS));
    }

    private void assertEveryRowMigratedExactlyOnce(long since, int rows) throws Exception {
        MigrationStatus end = cluster.awaitEnd(MIGRATION, since);
        assertEquals(MigrationState.SUCCESS, end.state(), "error: " + end.failure().error());
        assertEquals(rows, end.progress().processed());
        assertEquals(0, sql.itemsNotAt(1),
                "rows whose counter is not exactly 1");
        assertEquals(rows, sql.count("SELECT COUNT(*) FROM \"items\""));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void workersKilledAtRandomMomentsLoseAndRepeatNothing(TestDatabase.Kind database) throws Exception {
        start(database);
        int rows = 200_000;
        sql.itemsInOneStatement(rows);
        cluster.coordinator();
        List<ServiceProcess> workers = new ArrayList<>(List.of(cluster.worker(), cluster.worker(), cluster.worker()));
        long since = run();
        for (int kill = 1; kill <= 3; kill++) {
            awaitProcessed(since, rows * (kill * 20L + random.nextInt(10)) / 100);
            ServiceProcess victim = workers.remove(random.nextInt(workers.size()));
            victim.kill();
            workers.add(cluster.worker());
        }
        assertEveryRowMigratedExactlyOnce(since, rows);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.Kind.class, names = "POSTGRES") // only: see the class comment
    void workersKilledWhileSlicesOfTimeSizedBatchesRunUnderAConcurrencyLimitLoseAndRepeatNothing(TestDatabase.Kind database) throws Exception {
        start(database);
        // the paths of issue 9: tasks walking slices, batches sized by a 20 ms target, 4 of 12 segments at a time
        int rows = 100_000;
        sql.itemsInOneStatement(rows);
        cluster.coordinator();
        List<ServiceProcess> workers = new ArrayList<>(List.of(cluster.worker(), cluster.worker()));
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withSegments(12)
                .withLimits(new Limits(null, 20, 4))));
        for (int kill = 1; kill <= 2; kill++) {
            awaitProcessed(since, rows * (kill * 30L + random.nextInt(10)) / 100);
            workers.remove(random.nextInt(workers.size())).kill();
            workers.add(cluster.worker());
        }
        assertEveryRowMigratedExactlyOnce(since, rows);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.Kind.class, names = "POSTGRES") // only: see the class comment
    void workersKilledWhileWalkingAPartitionedTableByItsCompositeKeyLoseAndRepeatNothing(TestDatabase.Kind database) throws Exception {
        start(database);
        // the paths of issue 10: a schema-qualified table partitioned by month, split and walked by the tuple
        // (payment_date, payment_id), whose dates repeat so the second column decides the order within a day
        int rows = 60_000;
        sql.exec("CREATE SCHEMA sales",
                "CREATE TABLE sales.payment (payment_date date NOT NULL, payment_id int NOT NULL,"
                        + " counter int NOT NULL DEFAULT 0, PRIMARY KEY (payment_date, payment_id))"
                        + " PARTITION BY RANGE (payment_date)",
                "CREATE TABLE sales.payment_2026_01 PARTITION OF sales.payment FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
                "CREATE TABLE sales.payment_2026_02 PARTITION OF sales.payment FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')",
                "CREATE TABLE sales.payment_2026_03 PARTITION OF sales.payment FOR VALUES FROM ('2026-03-01') TO ('2026-04-01')",
                "INSERT INTO sales.payment (payment_date, payment_id) SELECT DATE '2026-01-01' + (i % 90), i"
                        + " FROM generate_series(1, " + rows + ") i");
        cluster.coordinator();
        List<ServiceProcess> workers = new ArrayList<>(List.of(cluster.worker(), cluster.worker()));
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of("incrementPayments").withSegments(8)));
        for (int kill = 1; kill <= 2; kill++) {
            long atLeast = rows * (kill * 30L + random.nextInt(10)) / 100;
            cluster.await(s -> s.name().equals("incrementPayments") && s.updatedAt() >= since
                    && (s.progress().processed() >= atLeast || s.state() != MigrationState.IN_PROGRESS));
            workers.remove(random.nextInt(workers.size())).kill();
            workers.add(cluster.worker());
        }
        MigrationStatus end = cluster.awaitEnd("incrementPayments", since);
        assertEquals(MigrationState.SUCCESS, end.state(), "error: " + end.failure().error());
        assertEquals(rows, end.progress().processed());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM sales.payment WHERE counter <> 1"),
                "rows whose counter is not exactly 1");
        assertEquals(rows, sql.count("SELECT COUNT(*) FROM sales.payment"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aCancelAsAWorkerIsKilledCountsWhatAppliedAndItsResumeRepeatsNothing(TestDatabase.Kind database) throws Exception {
        start(database);
        // the path of the cancel that counts the batches it waited for: one worker dies as the fence closes, the
        // other's slice may get batches in first; the status the cancel writes counts exactly what applied
        int rows = 60_000;
        sql.itemsInOneStatement(rows);
        cluster.coordinator();
        List<ServiceProcess> workers = new ArrayList<>(List.of(cluster.worker(), cluster.worker()));
        long since = run();
        awaitProcessed(since, rows / 3);
        long canceledAt = System.currentTimeMillis();
        CompletableFuture<Event> cancel = CompletableFuture.supplyAsync(() -> cluster.send(new Command.Cancel(MIGRATION)));
        workers.remove(random.nextInt(workers.size())).kill();
        assertInstanceOf(Event.CommandAccepted.class, cancel.get(60, TimeUnit.SECONDS));
        MigrationStatus canceled = cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= canceledAt
                && s.state() == MigrationState.CANCELED);
        long applied = sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1");
        assertEquals(applied, canceled.progress().processed(), "the first canceled status counts what applied");
        assertEquals(rows - applied, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 0"));

        workers.add(cluster.worker());
        long resumed = System.currentTimeMillis();
        assertEquals("resumed", ((Event.CommandAccepted) cluster.send(Command.Run.of(MIGRATION))).action());
        assertEveryRowMigratedExactlyOnce(resumed, rows);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aKilledCoordinatorIsReplacedByAStandbyAndARestart(TestDatabase.Kind database) throws Exception {
        start(database);
        int rows = 60_000;
        sql.itemsInOneStatement(rows);
        ServiceProcess first = cluster.coordinator();
        ServiceProcess second = cluster.coordinator();
        cluster.worker();
        cluster.worker();
        long since = run();
        awaitProcessed(since, rows / 4);
        first.kill();
        awaitProcessed(since, rows / 2);
        second.kill();
        cluster.coordinator();
        assertEveryRowMigratedExactlyOnce(since, rows);
    }

    /** Whether the coordinator's latest assignment (its log says) gave it the commands and events topics. */
    private static boolean holdsTheInputs(ServiceProcess coordinator) throws Exception {
        String last = "";
        for (String line : coordinator.output().split("\n")) {
            if (line.contains(".coordinator: assigned") || line.contains(".coordinator: revoked")) {
                last = line;
            }
        }
        return last.contains(": assigned [") && last.contains("commands-0");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.Kind.class, names = "POSTGRES") // only: see the class comment
    void aSlowNotDeadCoordinatorIsReplacedAndWhatItDoesWhenItWakesRepeatsNothing(TestDatabase.Kind database) throws Exception {
        start(database);
        // issue 15, 6: the active coordinator freezes (SIGSTOP) past its session timeout, in the middle of its work; the
        // standby takes over; the old one wakes (SIGCONT) with its transaction and memory from before, and must not
        // undo what the new one did; then the new one dies and the old one carries the run to its end
        int rows = 60_000;
        sql.itemsInOneStatement(rows);
        ServiceProcess first = cluster.coordinator();
        ServiceProcess second = cluster.coordinator();
        cluster.worker();
        cluster.worker();
        long since = run();
        awaitProcessed(since, rows / 5);
        ServiceProcess active = holdsTheInputs(first) ? first : second;
        ServiceProcess standby = active == first ? second : first;
        active.pause(true);
        long frozen = cluster.status(MIGRATION).progress().processed();
        awaitProcessed(since, Math.min(rows, frozen + rows / 5)); // only a coordinator that took over moves it
        active.pause(false);
        awaitProcessed(since, rows * 3 / 4);
        standby.kill();
        assertEveryRowMigratedExactlyOnce(since, rows);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void applicationWritesDuringTheMigrationAreNotLost(TestDatabase.Kind database) throws Exception {
        start(database);
        int rows = 40_000;
        sql.itemsInOneStatement(rows);
        cluster.coordinator();
        cluster.worker();
        cluster.worker();
        Map<Long, Integer> appWrites = new ConcurrentHashMap<>();
        AtomicBoolean migrating = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        Thread app = new Thread(() -> {
            Random r = new Random(11);
            try (Connection c = sql.connect();
                 PreparedStatement ps = c.prepareStatement("UPDATE \"items\" SET \"counter\" = \"counter\" + 100 WHERE \"id\" = ?")) {
                while (migrating.get()) {
                    long id = 1 + r.nextInt(rows);
                    ps.setLong(1, id);
                    ps.executeUpdate();
                    appWrites.merge(id, 1, Integer::sum);
                }
            } catch (Exception e) {
                failures.incrementAndGet();
                throw new IllegalStateException(e);
            }
        }, "application");
        app.start();
        long since = run();
        MigrationStatus end = cluster.awaitEnd(MIGRATION, since);
        migrating.set(false);
        app.join();
        assertEquals(MigrationState.SUCCESS, end.state(), "error: " + end.failure().error());
        assertEquals(0, failures.get());
        long wrong = 0;
        try (Connection c = sql.connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT \"id\", \"counter\" FROM \"items\"")) {
            while (rs.next()) {
                int expected = 1 + 100 * appWrites.getOrDefault(rs.getLong(1), 0);
                if (rs.getInt(2) != expected) {
                    wrong++;
                }
            }
        }
        assertEquals(0, wrong, "rows where an application write or the migration's write was lost");
        assertEquals(true, appWrites.size() > 100, "the application wrote during the migration: " + appWrites.size());
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.Kind.class, names = "POSTGRES") // only: see the class comment
    void aWorkerAddedAndOneStoppedMidRunLeaveNoGapsAndNoDuplicates(TestDatabase.Kind database) throws Exception {
        start(database);
        int rows = 60_000;
        sql.itemsInOneStatement(rows);
        cluster.coordinator();
        ServiceProcess first = cluster.worker();
        long since = run();
        awaitProcessed(since, rows / 4);
        cluster.worker();
        awaitProcessed(since, rows * 6 / 10);
        first.stop();
        assertEveryRowMigratedExactlyOnce(since, rows);
    }
}
