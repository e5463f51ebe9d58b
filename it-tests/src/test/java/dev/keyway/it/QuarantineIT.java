package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.migration.Migration;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.Store;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;

/**
 * Quarantine (issue 19) on a real broker and database: of 20,000 rows, 7 fail (5 throw, 1 recurses into a
 * {@code StackOverflowError}, 1 is refused by a CHECK constraint). The non-idempotent migration (counter + 1) runs over
 * segments, with a worker stopped in the middle (its tasks are redelivered and the ledger answers them): the run
 * succeeds with 7 quarantined, every other row at exactly 1, the 7 untouched, and {@code keyway_quarantine} holds each
 * once; after the fix, {@code retry --quarantined} migrates just the seven, each once (a worker stopped in the middle of
 * it too), and empties the quarantine. Past
 * the run's limit (0.025% of its rows: 5) it fails naming documents. Each test runs on PostgreSQL and on MariaDB.
 */
class QuarantineIT {

    private static final int ROWS = 20_000;
    private static final Set<Long> THROWING = Set.of(101L, 2_002L, 5_005L, 11_011L, 19_999L);
    private static final long RECURSING = 9_009L;
    /** Its write (counter 1) breaks the CHECK constraint the test adds. */
    private static final long REFUSED = 14_014L;
    private static final Set<String> SEVEN = new TreeSet<>(List.of("101", "2002", "5005", "9009", "11011", "14014",
            "19999"));

    /** The migration's bug fixed (for the retry): no document throws. */
    private static volatile boolean fixed;

    private static final Migration FLAKY = Migration.define("flaky", "items", (ctx, doc) -> {
        long id = doc.get("id").asLong();
        if (fixed) {
            if (SEVEN.contains(String.valueOf(id))) {
                Thread.sleep(300); // a retry slow enough to lose a worker in the middle
            }
            return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
        }
        if (THROWING.contains(id)) {
            throw new IllegalStateException("document " + id + " is malformed");
        }
        if (id == RECURSING) {
            return recurse(0);
        }
        return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
    }).withBatchSize(500).withSegments(4).withMaxQuarantined(10);

    private static com.fasterxml.jackson.databind.node.ObjectNode recurse(int depth) {
        return recurse(depth + 1);
    }

    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);
    private ServiceHarness harness;

    private void start(TestDatabase.Kind database) throws Exception {
        fixed = false;
        items.open(database);
        items.sql().exec("ALTER TABLE \"items\" ADD CONSTRAINT \"items_check\" CHECK (\"id\" <> " + REFUSED
                + " OR \"counter\" = 0)");
        harness = items.services(0, FLAKY);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRunSetsAsideTheSevenBadDocumentsAndAppliesEveryOtherRowExactlyOnce(TestDatabase.Kind database)
            throws Exception {
        start(database);
        Disposable first = harness.startWorker();
        Disposable second = harness.startWorker();
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("flaky")));
        harness.client().awaitStatus(s -> s.name().equals("flaky") && s.progress().processed() >= 4_000,
                ServiceHarness.TIMEOUT);
        first.dispose(); // its tasks in flight go to another worker: the ledger answers what it applied
        harness.startWorker();

        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("flaky") && s.updatedAt() >= since
                && s.isDone(), ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        assertEquals(7, done.progress().quarantined());
        assertEquals(10L, done.run().maxQuarantined());
        assertEquals(ROWS, done.progress().processed());
        assertEquals(ROWS - 7, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1"));
        assertEquals(7, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 0 AND \"id\" IN ("
                + String.join(", ", SEVEN) + ")"), "the seven are left as they were");
        assertEquals(7, items.sql().count("SELECT COUNT(*) FROM keyway_quarantine WHERE migration = 'flaky'"),
                "each recorded once");
        assertEquals(7, items.sql().count("SELECT SUM(quarantined) FROM keyway_ledger WHERE migration = 'flaky'"));

        try (Store store = Store.open(items.options())) {
            List<QuarantinedDocument> listed = store.quarantined("flaky", 100);
            assertEquals(SEVEN, new TreeSet<>(listed.stream().map(QuarantinedDocument::key).toList()));
            QuarantinedDocument overflow = listed.stream().filter(d -> d.key().equals("9009")).findFirst().orElseThrow();
            assertTrue(overflow.error().contains("StackOverflowError"), overflow.error());
            assertTrue(overflow.document().contains("\"counter\":0") && overflow.document().contains("9009"),
                    overflow.document());
            QuarantinedDocument refused = listed.stream().filter(d -> d.key().equals("14014")).findFirst().orElseThrow();
            assertTrue(refused.error().contains("items_check") || refused.error().toLowerCase().contains("check"),
                    refused.error());
            assertTrue(listed.stream().filter(d -> d.key().equals("101")).findFirst().orElseThrow().error()
                    .contains("document 101 is malformed"));
        }

        // the cause fixed, retry --quarantined migrates just those seven, each once, and empties the quarantine
        fixed = true;
        items.sql().exec("ALTER TABLE \"items\" DROP CONSTRAINT \"items_check\"");
        long retrySince = System.currentTimeMillis();
        // batches of one document; a worker stops after the first two: its task is redelivered, the ledger answers it
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("flaky").withOnlyQuarantined(true)
                .withBatchSize(1)));
        harness.client().awaitStatus(s -> s.name().equals("flaky") && s.run().onlyQuarantined()
                && s.progress().processed() >= 2, ServiceHarness.TIMEOUT);
        second.dispose();
        harness.startWorker();
        MigrationStatus retried = harness.client().awaitStatus(s -> s.name().equals("flaky")
                && s.updatedAt() >= retrySince && s.run().onlyQuarantined() && s.isDone(), ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, retried.state(), String.valueOf(retried.failure().error()));
        assertEquals(7, retried.progress().processed());
        assertEquals(0, retried.progress().quarantined());
        assertEquals(0, items.sql().itemsNotAt(1), "every row at exactly 1");
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM keyway_quarantine WHERE migration = 'flaky'"));
        Event again = harness.send(Command.Run.of("flaky").withOnlyQuarantined(true));
        assertInstanceOf(Event.CommandAccepted.class, again); // an empty quarantine: a run of nothing
        harness.client().awaitStatus(s -> s.name().equals("flaky") && s.isDone() && s.updatedAt() >= retrySince
                && !s.run().runId().equals(retried.run().runId()), ServiceHarness.TIMEOUT);
        assertEquals(0, items.sql().itemsNotAt(1), "still exactly 1");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void pastTheRunsLimitTheRunFailsNamingDocumentsAndResumesWithAHigherOneApplyingNothingTwice(TestDatabase.Kind database) throws Exception {
        start(database);
        harness.startWorker();
        harness.startWorker();
        long since = System.currentTimeMillis();
        // 0.025% of the 20,000 rows the plan counts: 5
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("flaky")
                .withMaxQuarantined(QuarantineLimit.parse("0.025%"))));
        MigrationStatus failed = harness.client().awaitStatus(s -> s.name().equals("flaky") && s.updatedAt() >= since
                && s.state() == MigrationState.FAILED, ServiceHarness.TIMEOUT);
        String error = failed.failure().error();
        // the plan's count may be the database's estimate: about 20,000 rows, so a limit of about 5
        long max = failed.run().maxQuarantined();
        assertTrue(max >= 4 && max <= 6, "limit " + max);
        assertEquals(0.025, failed.run().quarantine().percent());
        assertTrue(error.contains("over the run's limit of " + max) && error.contains("bin/migrate quarantine flaky"),
                error);
        assertTrue(SEVEN.stream().anyMatch(error::contains), "names documents: " + error);
        assertTrue(failed.progress().quarantined() > max, "quarantined " + failed.progress().quarantined());
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" > 1"), "nothing twice");
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" <> 0 AND \"id\" IN ("
                + String.join(", ", SEVEN) + ")"), "the bad documents untouched");

        // resumed with a higher limit: the same run goes on from its cursors and ends with every other row at 1
        long resumed = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("flaky").withMaxQuarantined(10L)));
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("flaky") && s.updatedAt() >= resumed
                && s.isDone(), ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        assertEquals(failed.run().runId(), done.run().runId(), "the same run");
        assertEquals(7, done.progress().quarantined());
        assertEquals(ROWS - 7, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1"));
        assertEquals(7, items.sql().count("SELECT COUNT(*) FROM keyway_quarantine WHERE migration = 'flaky'"));
    }
}
