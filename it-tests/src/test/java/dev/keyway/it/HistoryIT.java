package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyway.codec.JsonCodec;
import dev.keyway.coordinator.notify.Notifier;
import dev.keyway.coordinator.notify.NotifyOptions;
import dev.keyway.coordinator.notify.NotifyTargets;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.it.support.WebhookReceiver;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The audit trail and the notifications of real runs on Kafka and PostgreSQL: the exact entries of a run paused,
 * configured, resumed, canceled and retried (with the refused commands between), and the webhooks' POSTs in order; a
 * failed run's document id in both; a webhook that never answers slows no migration.
 */
class HistoryIT {

    private static final int ROWS = 3_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POISON = 1_234;
    /** counter := counter + 1, 3 ms a row: a run long enough to act on in the middle. */
    private static final Migration SLOW = TestMigrations.slowPlusOne("slow", 3).withBatchSize(100).withSegments(2);
    private static final AtomicBoolean poisoned = new AtomicBoolean(true);
    /** counter := counter + 1, except that it throws on the poisoned document while poisoned. */
    private static final Migration POISONABLE = Migration.define("poisonable", "items", (ctx, doc) -> {
        if (poisoned.get() && doc.get("id").asLong() == POISON) {
            throw new IllegalStateException("poisoned row " + POISON);
        }
        return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
    }).withBatchSize(100);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);
    private final Scheduler notifying = Schedulers.newSingle("it-notify");
    private final WebhookReceiver receiver = new WebhookReceiver("/dead");
    private Notifier notifier;

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
        }
        notifying.dispose();
        receiver.close();
    }

    /** Services whose coordinator notifies /all of every run and the targets ops (/ops) and dead (never answers). */
    private ServiceHarness services() {
        ServiceHarness harness = items.services(0, SLOW, POISONABLE);
        harness.stopCoordinators();
        notifier = new Notifier(new NotifyTargets(receiver.url("/all"), Map.of("ops", receiver.url("/ops"),
                "dead", receiver.url("/dead"))), NotifyOptions.defaults().withTimeout(Duration.ofSeconds(30)),
                new JsonCodec(), notifying);
        harness.startCoordinator(notifier);
        harness.startWorker();
        harness.startWorker();
        return harness;
    }

    private static String kindBy(HistoryEntry h) {
        return h.kind() + "/" + h.by();
    }

    private static List<String> events(List<String> bodies) throws Exception {
        return bodies.stream().map(b -> {
            try {
                return JSON.readTree(b).path("event").asText();
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + b, e);
            }
        }).toList();
    }

    @Test
    void aRunsEveryActionIsInTheHistoryOnceAndItsWebhooksHearOfItInOrder() throws Exception {
        ServiceHarness harness = services();
        Event refused = harness.send(Command.Run.of("slow").withRequestedBy("ann").withNotifyTargets(List.of("pager")));
        assertTrue(refused instanceof Event.CommandRejected r && r.reason().startsWith("unknown notification target"
                + " 'pager': this coordinator's targets are [dead, ops]"), refused.toString());
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("slow").withRequestedBy("ann")
                .withNotifyTargets(List.of("ops"))));
        harness.client().awaitStatus(s -> s.name().equals("slow") && s.progress().processed() >= 200,
                ServiceHarness.TIMEOUT);
        assertInstanceOf(Event.CommandAccepted.class, harness.send(new Command.Pause("slow", "bob")));
        assertInstanceOf(Event.CommandRejected.class, harness.send(new Command.Pause("slow", "bob")));
        assertInstanceOf(Event.CommandAccepted.class, harness.send(new Command.Configure("slow", null, 20_000, null,
                null, "cy")));
        assertInstanceOf(Event.CommandAccepted.class, harness.send(new Command.Resume("slow", "dee")));
        harness.client().awaitStatus(s -> s.name().equals("slow") && s.progress().processed() >= 1_000,
                ServiceHarness.TIMEOUT);
        assertInstanceOf(Event.CommandAccepted.class, harness.send(new Command.Cancel("slow", "eve")));
        harness.client().awaitStatus(s -> s.name().equals("slow") && s.state() == MigrationState.CANCELED,
                ServiceHarness.TIMEOUT);
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("slow").withRequestedBy("fay")));
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("slow") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertEquals(0, items.sql().itemsNotAt(1), "every row once");

        List<HistoryEntry> history = harness.client().history("slow");
        assertEquals(List.of("rejected/ann", "started/ann", "paused/bob", "rejected/bob", "configured/cy",
                "resumed/dee", "canceled/eve", "retried/fay", "succeeded/null"),
                history.stream().map(HistoryIT::kindBy).toList());
        HistoryEntry started = history.get(1);
        assertEquals(done.run().runId(), started.runId());
        assertEquals(List.of("ops"), started.parameters().notifyTargets());
        assertEquals(0, started.parameters().segments(), "being planned");
        assertEquals(2, history.get(4).parameters().segments());
        assertEquals(Integer.valueOf(20_000), history.get(4).parameters().limits().maxRowsPerSecond());
        HistoryEntry end = history.get(8);
        assertEquals(ROWS, end.outcome().rows());
        assertEquals(done.run().startedAt(), started.at());
        assertEquals(done.run().latestEnd(), end.at());
        assertEquals(done.run().latestEnd() - started.at(), end.outcome().durationMillis(), "from the run's start, pauses"
                + " included: " + end + ", started at " + started.at() + ", status " + done.run());
        assertTrue(history.stream().skip(1).allMatch(h -> done.run().runId().equals(h.runId())), history.toString());
        assertEquals(history, harness.client().historyChanges(0).filter(h -> h.migration().equals("slow"))
                .take(history.size()).collectList().block(Duration.ofSeconds(30)), "the same from the follow");

        List<String> expected = List.of("started", "paused", "resumed", "canceled", "retried", "succeeded");
        List<String> all = receiver.await("/all", b -> b.size() >= expected.size(), ServiceHarness.TIMEOUT);
        assertEquals(expected, events(all));
        assertEquals(expected, events(receiver.await("/ops", b -> b.size() >= expected.size(), ServiceHarness.TIMEOUT)),
                "the run named ops, and its retry kept it");
        JsonNode paused = JSON.readTree(all.get(1));
        assertEquals("Keyway: slow paused (run " + done.run().runId() + ", by bob): ", paused.path("text").asText()
                .substring(0, paused.path("text").asText().indexOf("):") + 3));
        assertEquals("bob", paused.path("by").asText());
        assertEquals("slow", paused.path("migration").asText());
        assertTrue(receiver.bodies("/dead").isEmpty(), "a target the run did not name hears nothing");
    }

    @Test
    void aFailureIsNotifiedWithItsDocumentAndAWebhookThatNeverAnswersSlowsNothing() throws Exception {
        ServiceHarness harness = services();
        long since = System.currentTimeMillis();
        MigrationStatus failed = harness.runToEnd(Command.Run.of("poisonable").withRequestedBy("gil")
                .withNotifyTargets(List.of("dead")));
        assertEquals(MigrationState.FAILED, failed.state());
        List<String> all = receiver.await("/all", b -> b.size() >= 2, ServiceHarness.TIMEOUT);
        assertEquals(List.of("started", "failed"), events(all));
        JsonNode failure = JSON.readTree(all.get(1));
        assertEquals(String.valueOf(POISON), failure.path("outcome").path("documentId").asText());
        assertTrue(failure.path("outcome").path("error").asText().contains("poisoned row " + POISON), all.get(1));
        assertTrue(failure.path("text").asText().contains("document " + POISON), all.get(1));

        // the dead endpoint got the start and never answered: the retry and its success go on regardless
        poisoned.set(false);
        MigrationStatus done = harness.runToEnd(Command.Run.of("poisonable").withRequestedBy("gil"));
        assertEquals(MigrationState.SUCCESS, done.state());
        assertEquals(0, items.sql().itemsNotAt(1), "every row once");
        assertEquals(List.of("started", "failed", "retried", "succeeded"),
                events(receiver.await("/all", b -> b.size() >= 4, ServiceHarness.TIMEOUT)));
        assertEquals(1, receiver.bodies("/dead").size(), "one at a time: the rest wait behind the hung one");
        assertTrue(System.currentTimeMillis() - since < ServiceHarness.TIMEOUT.toMillis(), "in normal time");
        List<HistoryEntry> history = harness.client().history("poisonable");
        assertEquals(List.of("started/gil", "failed/null", "retried/gil", "succeeded/null"),
                history.stream().map(HistoryIT::kindBy).toList());
        assertEquals(String.valueOf(POISON), history.get(1).outcome().documentId());
        assertNull(history.get(3).outcome().error());
        poisoned.set(true);
    }
}
