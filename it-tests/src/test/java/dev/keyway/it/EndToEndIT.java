package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.console.ClientMigrations;
import dev.keyway.console.ConsoleOptions;
import dev.keyway.console.ConsoleServer;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.kafka.Outbound;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/** The component's behaviour, end to end: real broker, real PostgreSQL, coordinator and workers. */
class EndToEndIT {

    private static final MigrateOne INCREMENT = TestMigrations.PLUS_ONE;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(1000);
    private ServiceHarness harness;

    private void start(Migration... migrations) {
        harness = items.services(2, migrations);
    }

    /** Two workers whose batches may take {@code deadline}: for a test that holds a batch in flight on purpose. */
    private void startWithDeadline(Duration deadline, Migration... migrations) {
        harness = items.services(0, migrations).withBatchDeadline(deadline);
        harness.startWorker();
        harness.startWorker();
    }

    private long rowsWithCounter(int n) throws Exception {
        return items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = " + n);
    }

    @Test
    void runsAMigrationToCompletionOverEveryRow() throws Exception {
        start(Migration.define("inc", "items", INCREMENT));
        MigrationStatus s = harness.runToEnd(Command.Run.of("inc"));
        assertEquals(MigrationState.SUCCESS, s.state());
        assertTrue(s.isDone());
        assertEquals(1000, s.progress().processed());
        assertEquals(1000L, s.progress().total(), "rows counted when the run was planned");
        assertNotNull(s.run().latestEnd());
        assertEquals(1000, rowsWithCounter(1));

        try (ConsoleServer page = new ConsoleServer(ConsoleOptions.local(0),
                new ClientMigrations(harness.client(), harness.kafka().settings()))) {
            assertTrue(page.address().getAddress().isLoopbackAddress(), "private to this machine by default");
            HttpClient http = HttpClient.newHttpClient();
            String json = "";
            for (int i = 0; i < 50 && !json.contains("\"name\":\"inc\""); i++) {
                json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port() + "/status.json"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                Mono.delay(Duration.ofMillis(100)).block();
            }
            assertTrue(json.contains("\"name\":\"inc\"") && json.contains("\"state\":\"success\"")
                    && json.contains("\"processed\":1000"), json);
        }
    }

    @Test
    void runsASeriesAndStopsAtTheFirstFailure() throws Exception {
        Migration boom = Migration.define("boom", "items", (ctx, d) -> {
            throw new IllegalStateException("always");
        });
        start(Migration.define("inc", "items", INCREMENT), boom, Migration.define("after", "items", INCREMENT));
        MigrationStatus end = harness.runToEnd(Command.Run.of("inc").withNext(List.of("boom", "after")));
        assertEquals("boom", end.name());
        assertEquals(MigrationState.FAILED, end.state());
        assertEquals(MigrationState.SUCCESS, harness.status("inc").state());
        assertFalse(harness.client().statuses().containsKey("after"), "the series stops at the failure");
        assertEquals(1000, rowsWithCounter(1));
    }

    @Test
    void skipsACompletedMigrationAndStartsOverWithANullCursor() throws Exception {
        start(Migration.define("inc", "items", INCREMENT));
        harness.runToEnd(Command.Run.of("inc"));
        Event again = harness.send(Command.Run.of("inc"));
        assertEquals("skipped", ((Event.CommandAccepted) again).action());
        assertEquals(1000, rowsWithCounter(1));

        MigrationStatus over = harness.runToEnd(Command.Run.of("inc").withStartAt(Command.StartAt.beginning()));
        assertEquals(1000, over.progress().processed());
        assertEquals(1000, rowsWithCounter(2));
    }

    @Test
    void refusesASecondRunWhileOneIsInProgressAndCancelCountsTheBatchesItWaitedFor() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Migration gated = Migration.define("gated", "items", (ctx, doc) -> {
            entered.countDown();
            if (!release.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
            return INCREMENT.migrateOne(ctx, doc);
        }).withBatchSize(100).withSegments(1);
        // the gate holds the batch while the test sends two commands: past the default 5 s deadline on a loaded
        // machine, the batch would fail and roll back, and the cancel would find nothing applied
        startWithDeadline(Duration.ofSeconds(90), gated);
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("gated")));
        assertTrue(entered.await(60, TimeUnit.SECONDS));

        Event second = harness.send(Command.Run.of("gated"));
        assertTrue(((Event.CommandRejected) second).reason().contains("already running"), second.toString());

        long since = System.currentTimeMillis();
        // the cancel closes the fence, which waits for the batch in flight: release it once the coordinator waits
        CompletableFuture<Event> cancel = CompletableFuture.supplyAsync(() -> harness.send(new Command.Cancel("gated")));
        awaitAWaitOnTheFence();
        release.countDown();
        assertInstanceOf(Event.CommandAccepted.class, cancel.get(60, TimeUnit.SECONDS));
        // the status the cancel writes already counts the batches it waited for: the worker's own outcome comes
        // later, or never (a rebalance that took the worker's partition while the batch ran loses it). That is the
        // batch in flight, and maybe the next ones of the worker's slice (up to SLICE_MILLIS): once the batch in
        // flight commits and moves the fence row, PostgreSQL may hand the row's new version to the worker's next
        // batch before the coordinator that was waiting for it
        MigrationStatus canceled = harness.client().awaitStatus(s -> s.name().equals("gated") && s.updatedAt() >= since
                && s.state() == MigrationState.CANCELED, ServiceHarness.TIMEOUT);
        long applied = rowsWithCounter(1);
        assertTrue(applied >= 100 && applied < 1000 && applied % 100 == 0, applied + " rows applied");
        assertEquals(applied, canceled.progress().processed(),
                "the canceled status counts what was applied: " + canceled);
        assertEquals("[" + applied + "]", canceled.progress().cursor());
        assertEquals(1000 - applied, rowsWithCounter(0), "the rest is left for a resume");

        // run again: it resumes after the counted batch, which is not applied a second time
        MigrationStatus resumed = harness.runToEnd(Command.Run.of("gated"));
        assertEquals(MigrationState.SUCCESS, resumed.state());
        assertEquals(1000, resumed.progress().processed());
        assertEquals(1000, rowsWithCounter(1), "every row at exactly 1");
    }

    /**
     * Until the coordinator waits for a lock on the fence table (changing a fence a batch holds): its query locks
     * every segment's row. A worker's batch may wait there too (a rebalance between the two workers hands the task
     * to the other one while the first still runs it), and that must not be taken for the coordinator.
     */
    private void awaitAWaitOnTheFence() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (items.sql().count("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE 'SELECT segment, run_id%keyway_fence%'") == 0) {
            assertTrue(System.nanoTime() < deadline, "nobody waited for the fence within 60 s");
            Thread.onSpinWait();
        }
    }

    @Test
    void aResumeIsRefusedUpFrontWhenItsTableLostOrChangedItsPrimaryKeyAndNothingChanges() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        start(Migration.define("fragile", "items", (ctx, doc) -> {
            if (broken.get() && doc.get("id").asLong() == 555) {
                throw new IllegalArgumentException("bad row");
            }
            return INCREMENT.migrateOne(ctx, doc);
        }).withBatchSize(100).withSegments(1), Migration.define("after", "items", INCREMENT));
        assertEquals(MigrationState.FAILED, harness.runToEnd(Command.Run.of("fragile")).state());
        broken.set(false);

        // a resume is not planned: the table is checked afresh when it is asked for, whatever was read before
        items.sql().exec("ALTER TABLE \"items\" DROP CONSTRAINT \"items_pkey\"");
        Event refused = harness.send(Command.Run.of("fragile").withNext(List.of("after")));
        String reason = ((Event.CommandRejected) refused).reason();
        assertTrue(reason.contains("has no primary key") && reason.contains("nothing was changed"), reason);
        MigrationStatus still = harness.status("fragile");
        assertEquals(MigrationState.FAILED, still.state());
        assertEquals("[500]", still.progress().cursor());
        assertEquals(500, rowsWithCounter(1));

        // a key of other columns: the run's cursors no longer fit it
        items.sql().exec("ALTER TABLE \"items\" ADD PRIMARY KEY (\"category\", \"id\")");
        String changed = ((Event.CommandRejected) harness.send(Command.Run.of("fragile"))).reason();
        assertTrue(changed.contains("cursor [500] does not fit table \"items\", walked by [category, id] now"), changed);
        assertEquals("[500]", harness.status("fragile").progress().cursor());

        items.sql().exec("ALTER TABLE \"items\" DROP CONSTRAINT \"items_pkey\"",
                "ALTER TABLE \"items\" ADD PRIMARY KEY (\"id\")");
        MigrationStatus done = harness.runToEnd(Command.Run.of("fragile"));
        assertEquals(MigrationState.SUCCESS, done.state());
        assertEquals(1000, rowsWithCounter(1), "every row at exactly 1");
    }

    @Test
    void aThrowingDocumentFailsTheMigrationAndARerunResumesFromThatBatch() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        start(Migration.define("fragile", "items", (ctx, doc) -> {
            calls.incrementAndGet();
            if (broken.get() && doc.get("id").asLong() == 555) {
                throw new IllegalArgumentException("bad row");
            }
            return INCREMENT.migrateOne(ctx, doc);
        }).withBatchSize(100).withSegments(1));
        MigrationStatus failed = harness.runToEnd(Command.Run.of("fragile"));
        assertEquals(MigrationState.FAILED, failed.state());
        assertTrue(failed.failure().error().contains("id=555"), failed.failure().error());
        assertTrue(failed.failure().error().contains("bad row"), failed.failure().error());
        assertEquals("555", failed.failure().batch().documentId());
        assertEquals("[500]", failed.progress().cursor(), "the cursor stays at the failed batch");
        assertEquals(500, rowsWithCounter(1));

        broken.set(false);
        calls.set(0);
        MigrationStatus done = harness.runToEnd(Command.Run.of("fragile"));
        assertEquals(MigrationState.SUCCESS, done.state());
        assertEquals(1000, done.progress().processed());
        assertEquals(1000, rowsWithCounter(1), "rows before the failed batch are not processed again");
        assertEquals(500, calls.get());
    }

    @Test
    void aDryRunChangesNothingAndShowsBeforeAndAfter() throws Exception {
        start(Migration.define("inc", "items", INCREMENT).withBatchSize(25));
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("inc").withDryRun(true)));
        MigrationStatus s = harness.client().awaitStatus(x -> x.name().equals("inc") && x.updatedAt() >= since
                && x.dryRuns().last() != null && x.dryRuns().pending() == null, ServiceHarness.TIMEOUT);
        assertEquals(25, s.dryRuns().last().changes().size());
        Event.DocumentChange first = s.dryRuns().last().changes().get(0);
        assertEquals(0, first.before().get("counter").asInt());
        assertEquals(1, first.after().get("counter").asInt());
        assertEquals(1000, rowsWithCounter(0), "nothing was committed");
        assertEquals(MigrationState.UNKNOWN, s.state());
    }

    @Test
    void aNumeric30_10KeyIsWalkedExactlyWithBatchSizeOne() throws Exception {
        items.sql().exec("CREATE TABLE \"exact\" (\"id\" NUMERIC(30,10) PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0)",
                "INSERT INTO \"exact\" (\"id\") SELECT 12345678901234567890 + g * 0.0000000001"
                        + " FROM generate_series(1, 30) g");
        start(Migration.define("exactly", "exact", INCREMENT).withBatchSize(1).withSegments(3));
        MigrationStatus s = harness.runToEnd(Command.Run.of("exactly"));
        assertEquals(MigrationState.SUCCESS, s.state(), String.valueOf(s.failure().error()));
        assertEquals(30, s.progress().processed());
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"exact\" WHERE \"counter\" <> 1"));
    }

    @Test
    void aPatchThatChangesThePrimaryKeyFailsTheBatchWithAClearErrorAndChangesNothing() throws Exception {
        start(Migration.define("rekey", "items", (ctx, doc) -> ctx.newObject().put("id", doc.get("id").asLong() + 10_000)
                .put("counter", 1)));
        MigrationStatus s = harness.runToEnd(Command.Run.of("rekey"));
        assertEquals(MigrationState.FAILED, s.state());
        assertTrue(s.failure().error().contains("a patch must not change the primary key"), s.failure().error());
        assertEquals(1000, rowsWithCounter(0));
    }

    @Test
    void parallelizeGivesTheSameResultAsSerial() throws Exception {
        MigrateOne derive = (ctx, doc) -> ctx.newObject().put("note", "n" + doc.get("id").asLong() * 7);
        start(Migration.define("serial", "items", derive), Migration.define("parallel", "items",
                (ctx, doc) -> ctx.newObject().put("category", "n" + doc.get("id").asLong() * 7)).withParallelize(true));
        harness.runToEnd(Command.Run.of("serial").withNext(List.of("parallel")));
        assertEquals(1000, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" = \"category\""));
    }

    @Test
    void aCustomRangeTouchesOnlyItsRange() throws Exception {
        start(Migration.define("tenths", "items", INCREMENT).withCustomRange(CustomRange.eq("category", "tenth")),
                Migration.define("upper", "items", INCREMENT).withCustomRange(CustomRange.between("id", 901, null)));
        MigrationStatus s = harness.runToEnd(Command.Run.of("tenths").withNext(List.of("upper")));
        assertEquals(MigrationState.SUCCESS, s.state());
        assertEquals(100, harness.status("tenths").progress().processed());
        assertEquals(100, harness.status("upper").progress().processed());
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" > 0 AND \"id\" <= 900"
                + " AND \"category\" <> 'tenth'"));
        assertEquals(10, rowsWithCounter(2), "ids 910..1000 by tens are in both ranges");
    }

    @Test
    void honoursTheBatchSizeOfTheDefinitionAndOfTheRun() throws Exception {
        start(Migration.define("inc", "items", INCREMENT).withBatchSize(40).withSegments(1));
        harness.runToEnd(Command.Run.of("inc"));
        assertEquals(40, items.sql().count("SELECT MAX(processed) FROM keyway_ledger WHERE migration = 'inc'"));
        assertEquals(26, items.sql().count("SELECT COUNT(*) FROM keyway_ledger WHERE migration = 'inc'"));

        MigrationStatus s = harness.runToEnd(Command.Run.of("inc").withStartAt(Command.StartAt.beginning())
                .withBatchSize(300));
        assertEquals(300, s.pace().batchSize());
        assertEquals(4, items.sql().count("SELECT COUNT(*) FROM keyway_ledger WHERE run_id = '" + s.run().runId() + "'"));
        assertEquals(300, items.sql().count("SELECT MAX(processed) FROM keyway_ledger WHERE run_id = '" + s.run().runId() + "'"));
    }

    @Test
    void answersAMalformedOrUnknownCommandWithAReadableErrorAndKeepsRunning() throws Exception {
        start(Migration.define("inc", "items", INCREMENT));
        long from = harness.kafka().endOffset(harness.kafka().settings().topics().events());
        harness.kafka().publish(List.of(new Outbound(harness.kafka().settings().topics().commands(), "x",
                "{\"type\":\"run\"".getBytes(StandardCharsets.UTF_8)))).block();
        Event rejected = harness.kafka().follow(harness.kafka().settings().topics().events(), from)
                .map(r -> harness.client().codec().decodeEvent(r.value())).blockFirst(ServiceHarness.TIMEOUT);
        assertTrue(((Event.CommandRejected) rejected).reason().contains("not valid JSON"), rejected.toString());

        Event unknown = harness.send(Command.Run.of("nope"));
        assertTrue(((Event.CommandRejected) unknown).reason().contains("unknown migration 'nope'"), unknown.toString());

        assertEquals(MigrationState.SUCCESS, harness.runToEnd(Command.Run.of("inc")).state());
    }
}
