package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker frozen (SIGSTOP) in the middle of a batch cannot keep the application's rows locked: the
 * database ends its session after the idle-in-transaction timeout, the batch rolls back, and once the
 * worker runs again the migration completes with every row applied once.
 */
class PausedWorkerIT {

    private static final String MIGRATION = "slowIncrement";
    private static final int ROWS = 1_000;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

    private TestDatabase db;
    private Sql sql;
    private ProcessCluster cluster;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.postgres();
        sql = new Sql(Sql.options(db));
        sql.itemsOnPostgres(ROWS);
        cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                Path.of("target", "it-logs", "pausedWorker"))
                .withEnv("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", String.valueOf(IDLE_TIMEOUT.toMillis()))
                // the freeze is the test, not a slow migrateOne: a stall past the batch deadline would fail the batch
                .withEnv("BATCH_DEADLINE_MS", "120000");
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        db.close();
    }

    /** Sessions of the workers sitting in an open transaction (inside migrateOne) on this database. */
    private long idleInTransaction() throws Exception {
        return sql.count("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND state = 'idle in transaction' AND pid <> pg_backend_pid()");
    }

    @Test
    void aFrozenWorkersBatchReleasesTheApplicationsRowsAfterTheIdleTimeout() throws Exception {
        cluster.coordinator();
        ServiceProcess worker = cluster.worker();
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withSegments(1)));
        cluster.await(s -> s.name().equals(MIGRATION) && s.progress().processed() >= 100);

        // freeze it while a batch holds its rows (it spends nearly all its time so); try again if it was between batches
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertTrue(System.nanoTime() < deadline, "never froze the worker inside a batch");
            if (idleInTransaction() > 0) {
                worker.pause(true);
                if (idleInTransaction() > 0) {
                    break;
                }
                worker.pause(false);
            }
            Thread.onSpinWait();
        }

        long t0 = System.nanoTime();
        try (Connection app = sql.connect(); Statement st = app.createStatement()) {
            st.execute("SET statement_timeout = 60000");
            assertEquals(ROWS, st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app'"));
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        assertTrue(waited.compareTo(IDLE_TIMEOUT.plusSeconds(5)) < 0, "the application waited " + waited);

        worker.pause(false);
        MigrationStatus done = cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, sql.itemsNotAt(1));
        assertEquals(ROWS, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" = 'app'"));
    }
}
