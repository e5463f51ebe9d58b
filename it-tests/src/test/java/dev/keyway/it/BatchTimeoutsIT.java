package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.MariaDbServers;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.DbTimeouts;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch never holds the application's rows for long and nothing hangs: a {@code migrateOne} that
 * sleeps, recurses or throws an {@code Error} on one document ends its batch as {@code batchFailed}
 * naming the document, within the batch deadline, with the batch's row locks released; a row the
 * application keeps locked delays its batch, with the reason in the status, and the application wins. On PostgreSQL
 * and MariaDB, whose lock timeout ({@code innodb_lock_wait_timeout}, whole seconds) and statement timeout
 * ({@code max_statement_time}) the store sets in their own units.
 */
class BatchTimeoutsIT {

    private static final int ROWS = 500;
    private static final long POISON = 150;
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    /** Thrown by a migration on the poisoned document: an {@code Error} of the user's own. */
    static final class MigrationBug extends Error {
        MigrationBug(String message) {
            super(message);
        }
    }

    private final AtomicBoolean poisoned = new AtomicBoolean(true);
    private final CountDownLatch reachedPoison = new CountDownLatch(1);
    private boolean mariadb;
    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);
    private ServiceHarness harness;

    /** This test's database, of its kind: the first call of every test. */
    private void open(TestDatabase.Kind kind) throws Exception {
        items.open(kind);
        mariadb = kind == TestDatabase.Kind.MARIADB;
    }

    /** counter := counter + 1, except that {@code onPoison} runs instead on the poisoned document while poisoned. */
    private Migration increment(String name, Runnable onPoison) {
        MigrateOne m = (ctx, doc) -> {
            if (poisoned.get() && doc.get("id").asLong() == POISON) {
                reachedPoison.countDown();
                onPoison.run();
            }
            return ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
        };
        return Migration.define(name, "items", m).withBatchSize(100).withSegments(1);
    }

    private void start(Migration m) {
        harness = items.services(0, m).withBatchDeadline(DEADLINE);
        harness.startWorker();
    }

    /**
     * Runs the migration; once the poisoned document is reached, an application UPDATE of another row of
     * its batch must finish within the deadline (plus a margin), and the migration must fail naming the
     * document. Then, with the poison gone, a rerun resumes from that batch and every row ends at 1.
     */
    private void failsOnThePoisonThenResumes(Migration m, String expectedError) throws Exception {
        start(m);
        long since = System.currentTimeMillis();
        harness.send(Command.Run.of(m.name()));
        assertTrue(reachedPoison.await(60, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        try (Connection app = items.sql().connect(); Statement st = app.createStatement()) {
            st.execute(mariadb ? "SET max_statement_time = 30" : "SET statement_timeout = 30000");
            assertEquals(1, st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = " + (POISON - 20)));
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        assertTrue(waited.compareTo(DEADLINE.plusSeconds(3)) < 0, "the application waited " + waited);

        MigrationStatus failed = harness.awaitEnd(m.name(), since);
        assertEquals(MigrationState.FAILED, failed.state(), String.valueOf(failed.failure().error()));
        assertEquals(String.valueOf(POISON), failed.failure().batch().documentId());
        assertTrue(failed.failure().error().contains(expectedError), failed.failure().error());
        assertTrue(failed.updatedAt() - since < 30_000, "failed within the deadline, not after retries");

        poisoned.set(false);
        MigrationStatus done = harness.runToEnd(Command.Run.of(m.name()));
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        assertEquals(0, items.sql().itemsNotAt(1));
        assertEquals(1, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" = 'app'"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aMigrateOneThatSleepsForeverFailsItsBatchAtTheDeadline(TestDatabase.Kind database) throws Exception {
        open(database);
        failsOnThePoisonThenResumes(increment("sleeper", () -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "did not return within the batch deadline");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aMigrateOneThatRecursesForeverWithParallelizeFailsItsBatch(TestDatabase.Kind database) throws Exception {
        open(database);
        failsOnThePoisonThenResumes(increment("recurser", BatchTimeoutsIT::recurse).withParallelize(true),
                "StackOverflowError");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anErrorOfTheUsersOwnFailsItsBatchNamingTheDocument(TestDatabase.Kind database) throws Exception {
        open(database);
        failsOnThePoisonThenResumes(increment("buggy", () -> {
            throw new MigrationBug("not implemented yet");
        }), "MigrationBug: not implemented yet");
    }

    private static void recurse() {
        recurse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aStatementPastTheKafkaTransactionsTimeoutFailsTheRunInsteadOfRunningAgainForEver(TestDatabase.Kind database) throws Exception {
        open(database);
        // issue 15, 11: a statement timeout (25 s) longer than the workers' Kafka transaction (10 s); a trigger makes the
        // batch's write of one row run past it. Its batchFailed cannot commit with the expired transaction; before,
        // the task came back and failed as late again, for ever
        if (mariadb) {
            // with the binlog on, only a user with SUPER may create a trigger
            asAdmin("CREATE TRIGGER slow_write BEFORE UPDATE ON items FOR EACH ROW"
                    + " SET @slept = IF(NEW.id = " + POISON + ", SLEEP(40), 0)");
        } else {
            items.sql().exec("CREATE FUNCTION slow_write() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(40); RETURN NEW; END"
                    + " $$ LANGUAGE plpgsql", "CREATE TRIGGER slow_write BEFORE UPDATE ON \"items\" FOR EACH ROW WHEN (NEW.\"id\" = "
                    + POISON + ") EXECUTE FUNCTION slow_write()");
        }
        Migration m = increment("stuck", () -> { });
        try (ServiceHarness slow = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), items.options()
                .withTimeouts(DbTimeouts.defaults().withStatement(Duration.ofSeconds(25))), MigrationCatalog.of(List.of(m)),
                1)) {
            long since = System.currentTimeMillis();
            slow.send(Command.Run.of(m.name()));
            MigrationStatus failed = slow.client().awaitStatus(s -> s.name().equals(m.name()) && s.updatedAt() >= since
                    && s.state() != MigrationState.IN_PROGRESS, Duration.ofSeconds(120));
            assertEquals(MigrationState.FAILED, failed.state(), String.valueOf(failed.failure().error()));
            assertTrue(failed.failure().error().contains("statement timeout"), failed.failure().error());
            assertEquals(100, failed.progress().processed(), "the batch before it went through");

            if (mariadb) {
                asAdmin("DROP TRIGGER slow_write");
            } else {
                items.sql().exec("DROP TRIGGER slow_write ON \"items\"");
            }
            MigrationStatus done = slow.runToEnd(Command.Run.of(m.name()));
            assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
            assertEquals(0, items.sql().itemsNotAt(1));
        }
    }

    private void asAdmin(String statement) throws SQLException {
        try (Connection admin = MariaDbServers.asAdmin(items.options().jdbcUrl()); Statement st = admin.createStatement()) {
            st.execute(statement);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRowTheApplicationKeepsLockedDelaysItsBatchAndTheApplicationWins(TestDatabase.Kind database) throws Exception {
        open(database);
        start(increment("patient", () -> { }));
        try (Connection app = items.sql().connect(); Statement st = app.createStatement()) {
            app.setAutoCommit(false);
            st.executeUpdate("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = " + POISON);
            long since = System.currentTimeMillis();
            harness.send(Command.Run.of("patient"));
            MigrationStatus delayed = harness.client().awaitStatus(s -> s.name().equals("patient")
                    && !s.progress().segments().isEmpty() && s.progress().segments().get(0).delayedBy() != null,
                            ServiceHarness.TIMEOUT);
            assertTrue(delayed.progress().segments().get(0).delayedBy().contains("lock timeout"),
                    delayed.progress().segments().get(0).delayedBy());
            assertEquals(MigrationState.IN_PROGRESS, delayed.state());
            assertEquals(100, delayed.progress().processed(), "the batches before the locked row went through");
            // keep it past the Kafka transaction timeout and the batch deadline: the batch keeps standing aside
            CompletableFuture<MigrationStatus> later = CompletableFuture.supplyAsync(() -> harness.client().awaitStatus(
                    s -> s.name().equals("patient") && s.updatedAt() >= since + 12_000, ServiceHarness.TIMEOUT));
            MigrationStatus stillWaiting = later.get(60, TimeUnit.SECONDS);
            assertEquals(MigrationState.IN_PROGRESS, stillWaiting.state());
            assertEquals(100, stillWaiting.progress().processed());
            app.commit();
        }
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("patient")
                && s.state() != MigrationState.IN_PROGRESS, ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        assertEquals(0, items.sql().itemsNotAt(1));
        assertEquals(1, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"id\" = " + POISON + " AND \"note\" = 'app'"));
    }
}
