package dev.keyway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.codec.JsonCodec;
import dev.keyway.store.FakeStore;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.CoordinatorEpoch;
import dev.keyway.store.CoordinatorFencedException;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The shell: what the coordinator does with the core's effects, against a broker and a database in memory. The test
 * plays the exactly-once processor: it rebuilds (takes over), hands the coordinator one record, and commits.
 */
class CoordinatorTest {

    private final JsonCodec codec = new JsonCodec();
    private final Migration a = Migration.define("a", "users", (ctx, d) -> null).withBatchSize(10);
    private final FakeGateway kafka = new FakeGateway();
    private final Topics topics = kafka.settings().topics();
    private final Database store = new Database();
    private final Scheduler scheduler = Schedulers.newSingle("coordinator-test");
    private Disposable running;

    /** The database: its fences as written (or refused), its ledger, and the tables that cannot be walked. */
    private static final class Database extends FakeStore {
        final List<RunFence> fences = new ArrayList<>();
        final List<LedgerEntry> ledger = new ArrayList<>();
        RuntimeException refuseFences;
        StoreException unwalkable;
        /** Where a closing fence finds its segments: the batches in flight moved them there. */
        String closedAt;

        Database() {
            super(100);
        }

        @Override
        public synchronized RunFence writeFence(RunFence fence, CoordinatorEpoch epoch) {
            if (refuseFences != null) {
                throw refuseFences;
            }
            fences.add(fence);
            RunFence written = fence.open() || closedAt == null ? fence : new RunFence(fence.migration(),
                    fence.runId(), fence.batchSize(), false, fence.segments().stream()
                    .map(s -> new RunFence.Segment(s.index(), closedAt, s.end(), false)).toList());
            fenced(written);
            return written;
        }

        @Override
        public CoordinatorEpoch takeOver(String group) {
            return new CoordinatorEpoch(group, 1);
        }

        @Override
        public List<LedgerEntry> followLedger(BatchKey start, String until, int max) {
            return ledger.stream().filter(e -> e.key().equals(start)).toList();
        }

        @Override
        public void checkWalk(TableWalk walk, List<String> cursors) {
            if (unwalkable != null) {
                throw unwalkable;
            }
        }
    }

    @BeforeEach
    void takeOver() {
        Coordinator coordinator = new Coordinator(kafka, store, MigrationCatalog.of(List.of(a)),
                Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC), scheduler);
        running = coordinator.run().subscribe();
        kafka.rebuild.run();
    }

    @AfterEach
    void stop() {
        running.dispose();
        scheduler.dispose();
    }

    private List<Outbound> command(Command c) {
        return kafka.handle(topics.commands(), c.fn(), codec.encode(c));
    }

    private List<Outbound> event(Event e) {
        return kafka.handle(topics.events(), e.migration(), codec.encode(e));
    }

    private static List<Outbound> on(List<Outbound> out, String topic) {
        return out.stream().filter(o -> o.topic().equals(topic)).toList();
    }

    private List<Task.ProcessBatch> tasks(List<Outbound> out) {
        return on(out, topics.tasks()).stream().map(o -> (Task.ProcessBatch) codec.decodeTask(o.value())).toList();
    }

    private List<Event> answers(List<Outbound> out) {
        return on(out, topics.events()).stream().map(o -> codec.decodeEvent(o.value())).toList();
    }

    private MigrationStatus status(List<Outbound> out) {
        List<Outbound> statuses = on(out, topics.status());
        assertEquals(1, statuses.size(), "one status per migration and record");
        return codec.decodeStatus(statuses.get(0).key(), statuses.get(0).value());
    }

    private static Command.Run fromCursor() {
        return Command.Run.of("a").withStartAt(Command.StartAt.after("[0]"));
    }

    @Test
    void aStartWritesTheFenceThenHandsItsStatusTaskAndAnswerToTheTransaction() {
        List<Outbound> out = command(fromCursor());

        assertEquals(1, store.fences.size(), "the fence is written while the record is handled");
        RunFence fence = store.fences.get(0);
        assertTrue(fence.open());
        Task.ProcessBatch task = tasks(out).get(0);
        assertEquals(fence.runId(), task.key().runId());
        assertEquals("[0]", task.key().cursor());
        assertEquals(MigrationState.IN_PROGRESS, status(out).state());
        assertInstanceOf(Event.CommandAccepted.class, answers(out).get(0));
        assertTrue(kafka.published().isEmpty(), "nothing outside the transaction");
    }

    @Test
    void aRunFromTheStartIsPlannedOnceItsTransactionCommitsAndThePlanComesBackAsAnEvent() throws Exception {
        List<Outbound> out = command(Command.Run.of("a").withSegments(2));
        assertTrue(tasks(out).isEmpty(), "no task before the plan");
        assertFalse(store.fences.get(0).open(), "the old run's fence is replaced before planning");
        assertTrue(kafka.published().isEmpty(), "no plan before the commit");

        kafka.committed.run();
        Outbound planned = kafka.awaitPublished(1).get(0);
        Event.RunPlanned plan = assertInstanceOf(Event.RunPlanned.class, codec.decodeEvent(planned.value()));
        assertEquals(List.of("[50]"), plan.splitPoints());

        List<Outbound> started = kafka.handle(planned.topic(), planned.key(), planned.value());
        assertEquals(List.of(0, 1),
                tasks(started).stream().map(Task.ProcessBatch::key).map(BatchKey::segment).toList());
        assertTrue(store.fences.get(1).open());
        assertTrue(kafka.handle(planned.topic(), planned.key(), planned.value()).isEmpty(), "a plan counts once");
    }

    @Test
    void aRefusedFenceFailsTheRecordSoNoTaskGoesOutAndNothingChanged() {
        store.refuseFences = new CoordinatorFencedException("another coordinator took over (epoch 2)");
        RuntimeException e = assertThrows(RuntimeException.class, () -> command(fromCursor()));
        assertTrue(e.getMessage().contains("another coordinator took over"), e.toString());
        kafka.committed.run();
        assertTrue(kafka.published().isEmpty());

        store.refuseFences = null;
        List<Outbound> again = command(fromCursor());
        assertEquals("started", ((Event.CommandAccepted) answers(again).get(0)).action(),
                "the refused record changed no state: a is not running");
    }

    @Test
    void aTableThatCannotBeWalkedIsARejectionWithNothingWritten() {
        store.unwalkable = new StoreException("table \"users\" has no primary key", null);
        List<Outbound> out = command(fromCursor());

        assertEquals(2, out.size(), out.toString());
        Event.CommandRejected no = assertInstanceOf(Event.CommandRejected.class, answers(out).get(0));
        assertEquals("cannot run a: table \"users\" has no primary key; nothing was changed", no.reason());
        assertTrue(store.fences.isEmpty());
        HistoryEntry refused = history(out).get(0);
        assertEquals(HistoryEntry.REJECTED, refused.kind());
        assertEquals(no.reason(), refused.detail());
    }

    private List<HistoryEntry> history(List<Outbound> out) {
        return on(out, topics.history()).stream().map(o -> codec.decodeHistory(o.value())).toList();
    }

    @Test
    void eachChangeOfARunGoesToTheHistoryInTheTransactionOfItsStatusOnce() {
        List<Outbound> started = command(fromCursor().withRequestedBy("ann"));
        kafka.committed.run();
        List<Outbound> paused = command(new Command.Pause("a", "bob"));
        kafka.committed.run();
        List<Outbound> configured = command(new Command.Configure("a", null, 50, null, null, "cy"));
        kafka.committed.run();
        List<Outbound> resumed = command(new Command.Resume("a", "dee"));
        kafka.committed.run();
        List<Outbound> canceled = command(new Command.Cancel("a", "eve"));

        List<HistoryEntry> all = new ArrayList<>();
        for (List<Outbound> out : List.of(started, paused, configured, resumed, canceled)) {
            assertEquals(1, history(out).size(), out.toString());
            all.addAll(history(out));
        }
        assertEquals(List.of("started/ann", "paused/bob", "configured/cy", "resumed/dee", "canceled/eve"),
                all.stream().map(h -> h.kind() + "/" + h.by()).toList());
        assertEquals("[0]", all.get(0).parameters().cursor());
        assertEquals(all.get(0).runId(), all.get(4).runId());
        assertTrue(all.stream().allMatch(h -> h.migration().equals("a")));
        assertEquals("a", on(canceled, topics.history()).get(0).key(), "keyed by migration");
    }

    @Test
    void anOutcomeWhoseLedgerRowIsMissingIsDroppedAndOneItHoldsCountsAsTheLedgerRecordedIt() {
        Task.ProcessBatch t = tasks(command(fromCursor())).get(0);
        Event.BatchCompleted claim = new Event.BatchCompleted(new BatchKey("a", t.key().runId(), 0, "[0]"), "[30]", 30,
                false, false, false,
                List.of(), 300, "w");
        assertTrue(event(claim).isEmpty(), "forged: the ledger has no such batch");

        store.ledger.add(new LedgerEntry(claim.key(), "[10]", 10, false));
        List<Outbound> counted = event(claim);
        assertEquals(10, status(counted).progress().processed(), "as far as the ledger goes");
        assertEquals(List.of("[10]"),
                tasks(counted).stream().map(Task.ProcessBatch::key).map(BatchKey::cursor).toList());
    }

    @Test
    void aCancelCountsWhatTheBatchesItsFenceWaitedForAppliedInTheSameRecord() {
        Task.ProcessBatch t = tasks(command(fromCursor())).get(0);
        store.ledger.add(new LedgerEntry(new BatchKey("a", t.key().runId(), 0, "[0]"), "[10]", 10, false));
        store.closedAt = "[10]"; // the batch in flight moved the fence before the cancel closed it

        List<Outbound> out = command(new Command.Cancel("a"));
        MigrationStatus st = status(out);
        assertEquals(MigrationState.CANCELED, st.state());
        assertEquals(10, st.progress().processed(), "counted from the ledger, in the cancel's own status");
        assertEquals("[10]", st.progress().cursor());
        assertTrue(tasks(out).isEmpty());
    }
}
