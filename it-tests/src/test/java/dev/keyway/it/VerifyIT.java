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
import dev.keyway.message.RunKind;
import dev.keyway.migration.Migration;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.Store;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;

/**
 * Verify (issue 19) on a real broker and database, each test on PostgreSQL and on MariaDB. A migration reshapes each
 * row's note ({@code note N} to {@code v2 N}) and adds 1 to its counter, only for a row in the old shape. After its
 * run, the application writes 100 rows back in the old shape: a verify (a worker stopped in the middle, while the
 * application holds row locks the verify must not wait for) finds exactly those 100 with their would-be change and
 * writes nothing; {@code --fix} migrates just them, each exactly once (counter 2 for them, 1 for every other row); a
 * verify after it is clean. A non-idempotent migration verifies as failed on every row.
 */
class VerifyIT {

    private static final int ROWS = 20_000;
    private static final Set<Long> REVERTED = LongStream.rangeClosed(1, 100).map(i -> i * 197).boxed()
            .collect(Collectors.toCollection(TreeSet::new));

    private static final Migration RESHAPE = Migration.define("reshapeNote", "items", (ctx, doc) -> {
        String note = doc.get("note").asText();
        if (!note.startsWith("note ")) {
            return null;
        }
        return ctx.newObject().put("note", "v2 " + note.substring(5)).put("counter", doc.get("counter").asInt() + 1);
    }).withBatchSize(500).withSegments(4);

    private static final Migration INCREMENT = Migration.define("increment", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(1000).withSegments(2);

    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);

    private MigrationStatus runToEnd(ServiceHarness harness, Command.Run run) {
        long since = System.currentTimeMillis();
        Event answer = harness.send(run);
        assertInstanceOf(Event.CommandAccepted.class, answer, answer.toString());
        MigrationStatus end = harness.client().awaitStatus(s -> s.name().equals(run.fn()) && s.updatedAt() >= since
                && ended(s.state()), ServiceHarness.TIMEOUT);
        return end;
    }

    private static boolean ended(MigrationState s) {
        return s == MigrationState.SUCCESS || s == MigrationState.FAILED || s == MigrationState.CANCELED
                || s == MigrationState.VERIFIED || s == MigrationState.VERIFY_FAILED;
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aVerifyFindsExactlyTheRowsTheApplicationRevertedAndAFixMigratesJustThemOnce(TestDatabase.Kind database)
            throws Exception {
        items.open(database);
        ServiceHarness harness = items.services(0, RESHAPE);
        Disposable first = harness.startWorker();
        harness.startWorker();
        MigrationStatus ran = runToEnd(harness, Command.Run.of("reshapeNote"));
        assertEquals(MigrationState.SUCCESS, ran.state(), String.valueOf(ran.failure().error()));
        assertEquals(0, items.sql().itemsNotAt(1));

        // the classic race: the application writes 100 rows in the old shape after (or while) the run went by
        String ids = REVERTED.stream().map(String::valueOf).collect(Collectors.joining(", "));
        items.sql().exec("UPDATE \"items\" SET \"note\" = " + (items.sql().isMariaDb() ? "CONCAT('note ', \"id\")"
                : "'note ' || \"id\"") + " WHERE \"id\" IN (" + ids + ")");

        // the application holds row locks for the whole verify: a verify that locked rows would wait on them
        try (Connection app = items.sql().connect(); Statement lock = app.createStatement()) {
            app.setAutoCommit(false);
            lock.executeQuery("SELECT * FROM \"items\" WHERE \"id\" IN (1, 5000, 10001, 19999) FOR UPDATE").close();

            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("reshapeNote")
                    .withKind(RunKind.VERIFY).withBatchSize(200).withRequestedBy("ada")));
            harness.client().awaitStatus(s -> s.name().equals("reshapeNote") && s.state() == MigrationState.VERIFYING
                    && s.progress().processed() >= 4_000, ServiceHarness.TIMEOUT);
            first.dispose(); // its tasks in flight go to another worker: the ledger answers what it recorded
            harness.startWorker();
            MigrationStatus verified = harness.client().awaitStatus(s -> s.name().equals("reshapeNote")
                    && s.updatedAt() >= since && ended(s.state()), ServiceHarness.TIMEOUT);
            app.rollback();

            assertEquals(MigrationState.VERIFY_FAILED, verified.state(), String.valueOf(verified.failure().error()));
            assertEquals(ROWS, verified.progress().processed(), "every row walked once");
            assertEquals(100, verified.verification().mismatched(), "exactly the 100, counted once");
            assertTrue(verified.isDone(), "the migration's run succeeded all the same");
            assertTrue(verified.failure().error().contains("bin/migrate verify reshapeNote --fix"),
                    verified.failure().error());
            assertEquals(10, verified.verification().sample().size());
            Event.DocumentChange one = verified.verification().sample().get(0);
            long id = Long.parseLong(one.id());
            assertTrue(REVERTED.contains(id), one.toString());
            assertEquals("note " + id, one.before().get("note").asText());
            assertEquals("v2 " + id, one.after().get("note").asText(), "the would-be change");
            assertEquals(2, one.after().get("counter").asInt());
        }
        assertEquals(0, items.sql().itemsNotAt(1), "the verify wrote nothing");
        assertEquals(100, items.sql().count("SELECT COUNT(*) FROM keyway_verify WHERE migration = 'reshapeNote'"),
                "each recorded once");
        try (Store store = Store.open(items.options())) {
            List<QuarantinedDocument> found = store.verifyFindings("reshapeNote", 1000);
            Set<String> keys = new TreeSet<>(found.stream().map(QuarantinedDocument::key).toList());
            assertEquals(new TreeSet<>(REVERTED.stream().map(String::valueOf).toList()), keys);
            assertTrue(found.get(0).error().contains("\"note\":\"v2 "), found.get(0).error());
        }

        // --fix: just the 100, each exactly once (batches of 7, a worker stopped in the middle)
        long fixSince = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("reshapeNote").withKind(RunKind.FIX)
                .withBatchSize(7)));
        MigrationStatus fixed = harness.client().awaitStatus(s -> s.name().equals("reshapeNote")
                && s.updatedAt() >= fixSince && s.run().kind() == RunKind.FIX && ended(s.state()),
                ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, fixed.state(), String.valueOf(fixed.failure().error()));
        assertEquals(100, fixed.progress().processed());
        assertEquals(100, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 2 AND \"id\" IN ("
                + ids + ")"), "each of the 100 migrated once more");
        assertEquals(ROWS - 100, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1"),
                "every other row untouched");
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" LIKE 'note %'"));
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM keyway_verify WHERE migration = 'reshapeNote'"));

        MigrationStatus clean = runToEnd(harness, Command.Run.of("reshapeNote").withKind(RunKind.VERIFY));
        assertEquals(MigrationState.VERIFIED, clean.state(), String.valueOf(clean.failure().error()));
        assertEquals(0, clean.verification().mismatched());
        assertTrue(harness.client().history("reshapeNote").stream().map(h -> h.kind()).toList()
                .containsAll(List.of("started", "verifyFailed", "succeeded", "verified")));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aNonIdempotentMigrationVerifiesAsFailedOnEveryRowAndItsVerifyWritesNothing(TestDatabase.Kind database)
            throws Exception {
        items.open(database);
        ServiceHarness harness = items.services(2, INCREMENT);
        MigrationStatus ran = runToEnd(harness, Command.Run.of("increment"));
        assertEquals(MigrationState.SUCCESS, ran.state(), String.valueOf(ran.failure().error()));

        MigrationStatus verified = runToEnd(harness, Command.Run.of("increment").withKind(RunKind.VERIFY));
        assertEquals(MigrationState.VERIFY_FAILED, verified.state());
        assertEquals(ROWS, verified.verification().mismatched(), "every row would change again");
        assertEquals(0, items.sql().itemsNotAt(1), "still exactly 1: a verify writes nothing");
        assertEquals(ROWS, items.sql().count("SELECT COUNT(*) FROM keyway_verify WHERE migration = 'increment'"));

        // a new verify replaces the findings of the last one (none twice)
        MigrationStatus again = runToEnd(harness, Command.Run.of("increment").withKind(RunKind.VERIFY));
        assertEquals(ROWS, again.verification().mismatched());
        assertEquals(ROWS, items.sql().count("SELECT COUNT(*) FROM keyway_verify WHERE migration = 'increment'"));
    }
}
