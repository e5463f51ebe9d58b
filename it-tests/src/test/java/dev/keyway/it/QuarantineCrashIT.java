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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Quarantine (issue 19) with processes that die, on PostgreSQL and MariaDB: of 20,000 rows, 400 are poisoned (the
 * migration throws on them); a run with {@code --max-quarantined 1000} sets them aside and applies every other row once;
 * after the data is fixed, {@code retry --quarantined} (batches of one row, 100 rows/s) migrates just those 400 while a
 * worker is SIGKILLed in the middle: each leaves quarantine in the transaction that migrates it, so every row ends at
 * exactly 1 and the quarantine is empty.
 */
class QuarantineCrashIT extends ProcessClusterTest {

    private static final String MIGRATION = "incrementUnlessPoisoned";
    private static final int ROWS = 20_000;
    private static final int POISONED = ROWS / 50;


    private MigrationStatus awaitEnd(long since) {
        return cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= since && s.progress().processed() > 0
                && !s.state().running() && s.state() != MigrationState.PAUSED);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRetryOfTheQuarantineWithAWorkerKilledMigratesEachDocumentOnce(TestDatabase.Kind database) throws Exception {
        start(database);
        sql.itemsInOneStatement(ROWS);
        sql.exec("UPDATE \"items\" SET \"category\" = 'poison' WHERE MOD(\"id\", 50) = 0");
        cluster.coordinator();
        ServiceProcess victim = cluster.worker();
        cluster.worker();

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withMaxQuarantined(1_000L)
                .withSegments(4)));
        MigrationStatus ran = awaitEnd(since);
        assertEquals(MigrationState.SUCCESS, ran.state(), String.valueOf(ran.failure().error()));
        assertEquals(POISONED, ran.progress().quarantined());
        assertEquals(ROWS - POISONED, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1"));
        assertEquals(POISONED, sql.count("SELECT COUNT(*) FROM keyway_quarantine WHERE migration = '" + MIGRATION + "'"));

        sql.exec("UPDATE \"items\" SET \"category\" = 'fixed' WHERE \"category\" = 'poison'");
        long retry = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withOnlyQuarantined(true)
                .withBatchSize(1).withLimits(new Limits(100, null, null))));
        cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= retry && s.run().onlyQuarantined()
                && (s.progress().processed() >= POISONED / 4 || !s.state().running()));
        victim.kill();
        cluster.worker();
        MigrationStatus retried = awaitEnd(retry);

        assertEquals(MigrationState.SUCCESS, retried.state(), String.valueOf(retried.failure().error()));
        assertEquals(POISONED, retried.progress().processed(), "each document once");
        assertEquals(0, sql.itemsNotAt(1), "every row at exactly 1");
        assertEquals(0, sql.count("SELECT COUNT(*) FROM keyway_quarantine WHERE migration = '" + MIGRATION + "'"));
    }

    /**
     * Issue 20's write path under a kill: a page's patches go in one statement (PostgreSQL's unnest, MariaDB's CASE
     * statements); when the database refuses it (a CHECK constraint on every 97th row), the statement rolls back to its
     * savepoint, the page goes one UPDATE a row, the refused document is named and set aside, and the batch applies the
     * others. With a worker SIGKILLed a quarter of the way, every other row ends at exactly 1 and each refused row is
     * quarantined once, untouched.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void pagesTheDatabaseRefusesInOneStatementGoRowByRowOnceWithAWorkerKilled(TestDatabase.Kind database)
            throws Exception {
        start(database);
        sql.itemsInOneStatement(ROWS);
        sql.exec("ALTER TABLE \"items\" ADD CONSTRAINT \"items_refuses\" CHECK (MOD(\"id\", 97) <> 0 OR \"counter\" = 0)");
        long refused = ROWS / 97;
        cluster.coordinator();
        ServiceProcess victim = cluster.worker();
        cluster.worker();

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withMaxQuarantined(1_000L)
                .withSegments(4).withLimits(new Limits(4_000, null, null))));
        cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= since
                && (s.progress().processed() >= ROWS / 4 || !s.state().running()));
        victim.kill();
        cluster.worker();
        MigrationStatus ran = awaitEnd(since);

        assertEquals(MigrationState.SUCCESS, ran.state(), String.valueOf(ran.failure().error()));
        assertEquals(refused, ran.progress().quarantined(), "each refused row set aside once");
        assertEquals(ROWS - refused, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1"));
        assertEquals(refused, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 0 AND MOD(\"id\", 97) = 0"));
        assertEquals(refused, sql.count("SELECT COUNT(*) FROM keyway_quarantine WHERE migration = '" + MIGRATION + "'"));
    }
}
