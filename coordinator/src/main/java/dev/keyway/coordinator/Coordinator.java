package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.coordinator.core.CoordinatorCore;
import dev.keyway.coordinator.core.CoordinatorState;
import dev.keyway.coordinator.core.CoreSettings;
import dev.keyway.coordinator.core.Effect;
import dev.keyway.coordinator.core.Input;
import dev.keyway.coordinator.core.Step;
import dev.keyway.coordinator.internal.SegmentPlanner;
import dev.keyway.coordinator.notify.Notifier;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaAccessDeniedException;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.CoordinatorEpoch;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * The coordinator: consumes commands and batch outcomes, keeps every migration's status (rebuilt from
 * the compacted status topic whenever it is assigned the input partitions), and publishes status
 * changes, next tasks and answers in the same Kafka transaction as the consumed offsets.
 *
 * <p>Several instances may run: they share one consumer group over single-partition input topics, so
 * one is active and the others stand by until it dies.
 *
 * <p>The shell around a {@link CoordinatorCore}: it receives a record, steps the core with it, carries out the
 * effects the core returns (writes a fence, checks a table, reads the ledger or a fence) and steps the core again with
 * each result, all within the handling of the record; then it hands the statuses, tasks and answers to the record's
 * Kafka transaction, and once that commits, plans runs and publishes paced tasks.
 */
public final class Coordinator {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
    /** The most characters of a command the log shows. */
    private static final int MAX_LOGGED = 500;
    /**
     * How long a takeover waits for a transaction left open on the status topic: beyond the coordinators' transaction
     * timeout (10 s) and the broker's sweep of timed-out transactions (every 10 s by default).
     */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaGateway kafka;
    private final Topics topics;
    private final JsonCodec codec = new JsonCodec();
    private final CoordinatorCore core;
    /**
     * What the core knows; replaced by each step, written only while holding this coordinator's lock (volatile: the
     * metrics read the latest without taking it, {@link #snapshot()}).
     */
    private volatile CoordinatorState state = CoordinatorState.initial(UUID.randomUUID().toString());
    private final Store store;
    /** What the database confirms of outcomes, delays, fences waited for and tables. */
    private final StoreChecks checks;
    private final MigrationCatalog catalog;
    private final SegmentPlanner planner;
    private final Scheduler scheduler;
    /** Where plans run, apart from the handling of records. */
    private final Scheduler planning;
    /** The plans under way; a coordinator that takes over cancels them and asks again. */
    private Disposable.Composite plans = Disposables.composite();
    private final Clock clock;
    /** Reads the database's health, or null when no limit is set. */
    private final HealthWatch health;
    /** The time per batch of the outcomes counted, for the batch latency signal. */
    private final BatchLatencies latencies;
    /**
     * What the records of the open Kafka transaction asked to do once it commits: plans to make and tasks to publish
     * later. Done by {@link #committed}; dropped when a transaction aborts (the state is then rebuilt, which asks
     * again).
     */
    private final List<Runnable> afterCommit = new ArrayList<>();
    /**
     * The tasks waiting for their time, by Kafka key (one segment): a newer task of the same segment replaces the one
     * waiting, so that a segment never has two tasks out (a replayed batch then means a real redelivery).
     */
    private final Map<String, Disposable> waiting = new ConcurrentHashMap<>();
    /** The consumer group of the coordinators of this prefix; only one of them holds the input partitions. */
    private final String group;
    /** Tells webhooks what happened to runs, after each commit; null when no target is set. */
    private final Notifier notifier;
    /** This coordinator's turn, taken in the database when it took over: it writes fences only while it holds. */
    private volatile CoordinatorEpoch epoch;
    /** Told of drops as they are decided (the metrics). */
    private final CoordinatorObserver observer;

    /**
     * @param store where the fence and the ledger are, and the tables to plan (count rows, sample split points)
     * @param scheduler runs the blocking work of handling a record and of planning (store queries)
     */
    public Coordinator(KafkaGateway kafka, Store store, MigrationCatalog catalog, Clock clock, Scheduler scheduler) {
        this(kafka, store, catalog, clock, scheduler, HealthLimits.none());
    }

    /**
     * @param health the database health limits past which migrations slow down and pause themselves, and what a
     *     run without a batch size aims at ({@link HealthLimits})
     */
    public Coordinator(KafkaGateway kafka, Store store, MigrationCatalog catalog, Clock clock, Scheduler scheduler,
                       HealthLimits health) {
        this(kafka, store, catalog, clock, CoordinatorThreads.shared(scheduler), health);
    }

    /**
     * @param threads where deciding, planning and reading health run ({@link CoordinatorThreads#bounded()} keeps them
     *     apart, so that plans of large or locked tables cannot starve the handling of records)
     */
    public Coordinator(KafkaGateway kafka, Store store, MigrationCatalog catalog, Clock clock,
                       CoordinatorThreads threads, HealthLimits health) {
        this(kafka, store, catalog, clock, threads, health, CoordinatorObserver.none());
    }

    /** @param observer told of what the coordinator drops, on its own thread (the metrics: cheap, never blocking) */
    public Coordinator(KafkaGateway kafka, Store store, MigrationCatalog catalog, Clock clock,
                       CoordinatorThreads threads, HealthLimits health, CoordinatorObserver observer) {
        this(kafka, store, catalog, clock, threads, health, observer, null);
    }

    /**
     * @param notifier tells webhooks of the history entries of each committed transaction, and names the targets a
     *     run may give ({@code run --notify}); null for none
     */
    public Coordinator(KafkaGateway kafka, Store store, MigrationCatalog catalog, Clock clock,
                       CoordinatorThreads threads, HealthLimits health, CoordinatorObserver observer,
                       Notifier notifier) {
        this.observer = observer;
        this.kafka = kafka;
        this.notifier = notifier;
        this.topics = kafka.settings().topics();
        this.group = kafka.settings().topicPrefix() + "coordinator";
        this.store = store;
        this.checks = new StoreChecks(store);
        this.catalog = catalog;
        this.scheduler = threads.decisions();
        this.planning = threads.planning();
        this.clock = clock;
        this.planner = new SegmentPlanner(store, kafka.settings().taskPartitions());
        this.health = health.watched() ? new HealthWatch(store, health, kafka, codec, threads.health()) : null;
        this.core = new CoordinatorCore(catalog, new CoreSettings(health.targetBatchMillis(), health.watched(),
                health.maxConcurrency(), this.health == null ? null : this.health.id(),
                notifier == null ? java.util.Set.of() : notifier.names()));
        this.latencies = health.latencies();
    }

    /**
     * Every migration this coordinator knows now (none while it stands by), read from its latest state without taking
     * its lock: for metrics, from any thread, never slowing the handling of records.
     */
    public List<MigrationSnapshot> snapshot() {
        CoordinatorState now = state;
        return now.all().stream().map(st -> new MigrationSnapshot(st, core.segmentsInFlight(now, st))).toList();
    }

    /** Runs until cancelled. Creates the topics and the bookkeeping tables if missing. */
    public Mono<Void> run() {
        return Mono.fromRunnable(() -> {
            kafka.ensureTopics();
            store.ensureBookkeeping();
            useDatabase(store.databaseId());
        }).subscribeOn(scheduler)
                .retryWhen(Retry.backoff(5, Duration.ofMillis(200))
                        // a refused login or a missing ACL does not pass by itself; and the last failure says why
                        .filter(e -> !(e instanceof KafkaAccessDeniedException))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure())
                        .doBeforeRetry(s -> log.warn(
                                "setting up the topics and the bookkeeping tables failed, trying again: {}", s.failure().toString())))
                .then(Mono.when(kafka.processor(group, List.of(topics.commands(), topics.events()), 500)
                        .runWithState(this::handle, this::rebuild,
                        this::committed),
                        health == null ? Mono.empty() : health.run()));
    }

    /**
     * Rebuilds the state from the status topic. A record that is not a status (a stranger's, another schema
     * version) is skipped with a warning: the migration keeps its status from before it, and the next status
     * the coordinator writes for it replaces it on the topic.
     */
    private synchronized void rebuild() {
        // a transaction the coordinator before left open (stopped mid-commit) may still commit its statuses, and its
        // consumed offsets with them: read the statuses once it has committed or aborted, not before
        if (!kafka.awaitSettled(topics.status(), SETTLE_TIMEOUT)) {
            log.warn("a transaction on {} was still open after {} s; rebuilding from what is committed",
                    topics.status(), SETTLE_TIMEOUT.toSeconds());
        }
        // decoded as read, the latest per migration kept: a topic not compacted yet holds much more history than that
        Map<String, MigrationStatus> latest = new LinkedHashMap<>();
        kafka.readToEnd(topics.status(), r -> {
            if (r.value() == null) {
                return;
            }
            try {
                MigrationStatus s = codec.decodeStatus(r.key(), r.value());
                latest.put(s.name(), s);
            } catch (MalformedMessageException e) {
                log.warn("skipped a record at {}-{}@{} (key {}) that is not a status; the migration keeps its status from"
                        + " before it: {}", r.topic(), r.partition(), r.offset(), Excerpt.of(r.key(), 60), e.getMessage());
            }
        });
        Step took = core.step(state, new Input.TookOver(List.copyOf(latest.values()), UUID.randomUUID().toString(),
                clock.millis()));
        state = took.state();
        try {
            epoch = store.takeOver(group);
        } catch (StoreException e) {
            // no turn, no fence: the first record that needs one fails, and the session starts over (and takes over)
            epoch = new CoordinatorEpoch(group, -1);
            log.warn("could not take over in the database: {}; fences wait until it answers", e.getMessage());
        }
        log.info("took over (epoch {}): rebuilt {} migration status(es) from {}", epoch.epoch(), state.all().size(),
                topics.status());
        afterCommit.clear();
        plans.dispose();
        plans = Disposables.composite();
        // no transaction is open: the plans asked for again and the open segments' tasks go now
        for (Effect fx : took.effects()) {
            if (fx instanceof Effect.PlanSegments p) {
                plan(p);
            } else if (fx instanceof Effect.PublishTask t) {
                publishLater(List.of(new Effect.PublishLater(t.task(), 0)));
            } else if (fx instanceof Effect.PublishLater later) {
                publishLater(List.of(later));
            }
        }
        if (health != null) {
            health.reset();
        }
    }

    private synchronized void useDatabase(String id) {
        state = core.step(state, new Input.DatabaseKnown(id, clock.millis())).state();
    }

    /** The transaction of the records handled so far committed: what they asked to do once it did, now. */
    private void committed() {
        List<Runnable> due;
        synchronized (this) {
            due = List.copyOf(afterCommit);
            afterCommit.clear();
        }
        due.forEach(Runnable::run);
    }

    /**
     * Plans a run's segments away from the Kafka transaction (a large or locked table delays only its own
     * migration), then hands the plan to itself as a {@link Event.RunPlanned} on the events topic. A run whose plan
     * the database's fence already holds gets that plan again ({@link SegmentPlanner}).
     */
    private void plan(Effect.PlanSegments request) {
        String planId = request.planId();
        Disposable planned = Mono.fromCallable(() -> planner.plan(defined(request.migration()), request.segments(),
                        request.runId(), request.kind(), request.imagesOf()))
                .subscribeOn(planning)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .filter(StoreException::isRetriable)
                        .doBeforeRetry(s -> log.info("planning {} waits: {}", request.migration(), s.failure().getMessage())))
                .map(plan -> new Event.RunPlanned(request.migration(), request.runId(), planId, plan.splitPoints(),
                        plan.rows(), null))
                .onErrorResume(StoreException.class, e -> Mono.just(new Event.RunPlanned(request.migration(),
                        request.runId(), planId, List.of(), 0, e.getMessage())))
                .flatMap(p -> kafka.publish(List.of(new Outbound(topics.events(), p.migration(), codec.encode(p)))))
                .subscribe(null, e -> log.error("planning {} failed: {}; run it again", request.migration(), e.toString()));
        synchronized (this) {
            plans.add(planned);
        }
    }

    private Migration defined(String name) {
        return catalog.find(name).orElseThrow(() -> new StoreException("this coordinator does not define " + name
                + " (removed by a deploy?): deploy the jar that defines it", null));
    }

    private Mono<List<Outbound>> handle(Inbound in) {
        return Mono.fromCallable(() -> decide(in)).subscribeOn(scheduler);
    }

    private synchronized List<Outbound> decide(Inbound in) {
        Input input;
        Command cause = null;
        long now = clock.millis();
        if (in.topic().equals(topics.commands())) {
            try {
                cause = codec.decodeCommand(in.value());
                log.info("command {}", Excerpt.of(in.value(), MAX_LOGGED));
                input = new Input.CommandReceived(cause, now);
            } catch (MalformedMessageException e) {
                log.warn("rejected command at {}-{}@{}: {}", in.topic(), in.partition(), in.offset(), e.getMessage());
                // the answer names the record's key only if it is a name: it never echoes unbounded input
                String key = in.key() != null && in.key().length() <= Command.MAX_NAME
                        && Excerpt.of(in.key(), Command.MAX_NAME).equals(in.key()) ? in.key() : null;
                Event reject = new Event.CommandRejected(key, "malformed", e.getMessage()
                        + " (expected e.g. {\"type\":\"run\",\"fn\":\"setDefaultValue\"})");
                return List.of(new Outbound(topics.events(), key(key), codec.encode(reject)));
            }
        } else {
            try {
                input = new Input.EventReceived(codec.decodeEvent(in.value()), now);
            } catch (MalformedMessageException ex) {
                log.warn("dropped a malformed event at {}-{}@{}: {}", in.topic(), in.partition(), in.offset(),
                        ex.getMessage());
                return List.of();
            }
        }
        Decided decided = new Decided(in, latencies, observer, state, cause, now);
        // the state changes only once the whole record is decided: a failure (a fence refused) leaves it as it was,
        // and the session that starts over rebuilds it anyway
        state = carryOut(core.step(state, input), decided);
        // nothing leaves before the transaction that decided it commits (an aborted one is decided again)
        afterCommit.add(() -> {
            decided.plans.forEach(this::plan);
            decided.tasks.forEach(t -> Optional.ofNullable(waiting.remove(t.recordKey())).ifPresent(Disposable::dispose));
            publishLater(decided.later);
            if (notifier != null) {
                decided.history.forEach(h -> notifier.accept(h.entry(), h.targets()));
            }
        });
        return decided.outbound(codec, topics);
    }

    /**
     * Carries out a step's effects: first takes what goes out with the record (statuses, tasks, answers, and what
     * waits for the commit), then does what the core asked of the database, in order, stepping the core with each
     * result (and carrying out that step's effects before the next question). The fence first: once a status or
     * task of this record is out, no batch it stops may apply; and a closed fence's count reads the ledger only after
     * the fence is written.
     *
     * @return the state after every step
     */
    private CoordinatorState carryOut(Step step, Decided decided) {
        step.effects().forEach(decided::take);
        CoordinatorState after = step.state();
        for (Effect fx : step.effects()) {
            Input result = null;
            if (fx instanceof Effect.WriteFence w) {
                result = new Input.FenceWritten(w, store.writeFence(w.fence(), epoch), clock.millis());
            } else if (fx instanceof Effect.CheckTables c) {
                result = new Input.TablesChecked(c, checks.problems(c.walks()), checks.keyColumns(c.keyColumnsOf()),
                        clock.millis());
            } else if (fx instanceof Effect.ReadLedger l) {
                result = new Input.LedgerRead(l, checks.ledger(l), clock.millis());
            } else if (fx instanceof Effect.ReadFence f) {
                result = new Input.FenceRead(f, checks.fence(f), clock.millis());
            }
            if (result != null) {
                after = carryOut(core.step(after, result), decided);
            }
        }
        return after;
    }

    /**
     * Publishes tasks at their due time, outside any transaction: a rate limit spaces a migration's batches.
     * A task is idempotent (the fence and the ledger), so one published late, or twice, applies once; if this
     * coordinator dies first, the next one publishes the open segments' batches again ({@code afterTakeover}).
     */
    private void publishLater(List<Effect.PublishLater> tasks) {
        for (Effect.PublishLater s : tasks) {
            long wait = Math.max(0, s.dueMillis() - clock.millis());
            String key = s.task().recordKey();
            Disposable[] self = new Disposable[1];
            Disposable d = Mono.delay(Duration.ofMillis(wait), scheduler)
                    .doOnNext(tick -> waiting.remove(key, self[0]))
                    .then(kafka.publish(List.of(new Outbound(topics.tasks(), key, codec.encode(s.task())))))
                    .subscribe(null, e -> log.warn("could not publish the paced batch {}: {}; it is published again when"
                            + " a coordinator takes over", s.task().key(), e.toString()));
            self[0] = d;
            Optional.ofNullable(waiting.put(key, d)).ifPresent(Disposable::dispose);
        }
    }

    static String key(String migration) {
        return migration == null ? "*" : migration;
    }
}
