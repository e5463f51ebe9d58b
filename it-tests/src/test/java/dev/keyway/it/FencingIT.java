package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.BatchKey;
import dev.keyway.codec.JsonCodec;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fence: a batch applies only if the database says its run is the migration's current, open run and
 * the segment is at its cursor. Stale runs' tasks, forged tasks and forged outcomes change nothing.
 * Every migration here is {@code counter := counter + 1}: every row must end at exactly 1. Each test runs on PostgreSQL and
 * on MariaDB.
 */
class FencingIT {

    private static final int ROWS = 2_000;
    private static final MigrateOne INCREMENT = TestMigrations.PLUS_ONE;
    private static final Migration COUNT = Migration.define("count", "items", INCREMENT).withBatchSize(100);

    private final JsonCodec codec = new JsonCodec();
    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);
    private ServiceHarness harness;

    private void start(TestDatabase.Kind database) throws Exception {
        items.open(database);
        // no workers yet: the tasks of every run wait in the topic, as when the workers are stopped or busy
        harness = items.services(0, COUNT);
    }

    private long rowsNotAtOne() throws Exception {
        return items.sql().itemsNotAt(1);
    }

    private void publish(String topic, String key, byte[] value) {
        harness.kafka().publish(List.of(new Outbound(topic, key, value))).block(ServiceHarness.TIMEOUT);
    }

    private MigrationStatus awaitSuccess(long since) {
        return harness.client().awaitStatus(s -> s.name().equals("count") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
    }

    private MigrationStatus awaitSegments() {
        return harness.client().awaitStatus(s -> s.name().equals("count") && !s.progress().segments().isEmpty()
                && s.state() == MigrationState.IN_PROGRESS, ServiceHarness.TIMEOUT);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void cancelThenStartingOverAppliesOnlyTheNewRunsBatches(TestDatabase.Kind database) throws Exception {
        start(database);
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("count").withSegments(4)));
        String oldRun = awaitSegments().run().runId();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(new Command.Cancel("count")));
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class,
                harness.send(Command.Run.of("count").withStartAt(Command.StartAt.beginning()).withSegments(4)));

        harness.startWorker();
        harness.startWorker();
        MigrationStatus done = awaitSuccess(since);
        assertTrue(!done.run().runId().equals(oldRun), "a new run");
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, rowsNotAtOne(), "the canceled run's queued tasks applied nothing");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void forgedOrStaleTasksApplyNothing(TestDatabase.Kind database) throws Exception {
        start(database);
        long since = System.currentTimeMillis();
        harness.send(Command.Run.of("count").withSegments(2));
        MigrationStatus running = awaitSegments();
        String run = running.run().runId();
        String end = running.progress().segments().get(0).to();
        Topics topics = harness.kafka().settings().topics();
        List<Task.ProcessBatch> forged = List.of(
                new Task.ProcessBatch(new BatchKey("count", "another-run", 0, null), end, 100, false),
                new Task.ProcessBatch(new BatchKey("count", run, 0, null), null, 100, false),      // a wider end
                new Task.ProcessBatch(new BatchKey("count", run, 0, null), end, 5_000, false),     // a larger batch
                new Task.ProcessBatch(new BatchKey("count", run, 0, "[550]"), end, 100, false),
                          // a cursor no batch of it starts at
                new Task.ProcessBatch(new BatchKey("count", run, 7, null), null, 100,
                        false));    // a segment the run does not have
        for (Task.ProcessBatch t : forged) {
            publish(topics.tasks(), t.recordKey(), codec.encode(t));
        }
        harness.startWorker();
        MigrationStatus done = awaitSuccess(since);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, rowsNotAtOne());
        // and after the run ended: publish them again. Another run's, a cursor no batch starts at and a segment
        // the run lacks are skipped; the others start where an applied batch did, so the ledger answers them
        for (Task.ProcessBatch t : forged) {
            publish(topics.tasks(), t.recordKey(), codec.encode(t));
        }
        long skipped = harness.kafka().follow(topics.events(), 0)
                .map(r -> codec.decodeEvent(r.value()))
                .filter(e -> e instanceof Event.BatchSkipped)
                .take(6).count().block(ServiceHarness.TIMEOUT);
        assertEquals(6, skipped);
        assertEquals(0, rowsNotAtOne());
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aForgedCompletedOutcomeIsNotTakenForTheTruth(TestDatabase.Kind database) throws Exception {
        start(database);
        long since = System.currentTimeMillis();
        harness.send(Command.Run.of("count").withSegments(1));
        MigrationStatus running = awaitSegments();
        Event forged = new Event.BatchCompleted(new BatchKey("count", running.run().runId(), 0, null), "[" + ROWS + "]",
                1_000_000, true,
                false, false, List.of(), 1, "stranger");
        String events = harness.kafka().settings().topics().events();
        publish(events, "count", codec.encode(forged));
        // a marker behind it on the same partition: once the status shows it, the forged outcome was handled
        publish(events, "count", codec.encode(new Event.BatchDelayed(new BatchKey("count", running.run().runId(), 0,
                null),
                "marker", "test")));
        MigrationStatus after = harness.client().awaitStatus(s -> s.name().equals("count") && !s.progress().segments().isEmpty()
                && "marker".equals(s.progress().segments().get(0).delayedBy()), ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.IN_PROGRESS, after.state(), "the forged done: true did not end the migration");
        assertEquals(0, after.progress().processed());

        harness.startWorker();
        MigrationStatus done = awaitSuccess(since);
        assertEquals(ROWS, done.progress().processed(),
                "processed counts what the ledger recorded, not the forged 1,000,000");
        assertEquals(0, rowsNotAtOne());
    }
}
