package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.coordinator.core.Effects;
import dev.keyway.coordinator.core.MigrationControl;
import dev.keyway.coordinator.core.StatusBudget;
import dev.keyway.coordinator.core.StatusView;
import dev.keyway.coordinator.internal.SegmentPlanner;
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
import dev.keyway.store.RunFence;
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
 */
public final class Coordinator {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
    /** The most characters of a command the log shows. */
    private static final int MAX_LOGGED = 500;

    private final KafkaGateway kafka;
    private final Topics topics;
    private final JsonCodec codec = new JsonCodec();
    private final StatusView view = new StatusView();
    private final MigrationControl control;
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
    /** The plan each migration being planned waits for (migration name to plan id); only this coordinator knows them. */
    private final Map<String, String> plansAsked = new ConcurrentHashMap<>();
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
    /** This coordinator's turn, taken in the database when it took over: it writes fences only while it holds. */
    private volatile CoordinatorEpoch epoch;

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
        this.kafka = kafka;
        this.topics = kafka.settings().topics();
        this.group = kafka.settings().topicPrefix() + "coordinator";
        this.store = store;
        this.checks = new StoreChecks(store);
        this.catalog = catalog;
        this.scheduler = threads.decisions();
        this.planning = threads.planning();
        this.clock = clock;
        this.planner = new SegmentPlanner(store, kafka.settings().taskPartitions());
        this.control = new MigrationControl(view, catalog, clock, () -> UUID.randomUUID().toString(), health.targetBatchMillis(),
                health.watched(), health.maxConcurrency());
        this.health = health.watched() ? new HealthWatch(store, health, kafka, codec, threads.health()) : null;
        this.latencies = health.latencies();
    }

    /** Runs until cancelled. Creates the topics and the bookkeeping tables if missing. */
    public Mono<Void> run() {
        return Mono.fromRunnable(() -> {
            kafka.ensureTopics();
            store.ensureBookkeeping();
            control.useDatabase(store.databaseId());
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
        view.rebuild(List.copyOf(latest.values()));
        try {
            epoch = store.takeOver(group);
        } catch (StoreException e) {
            // no turn, no fence: the first record that needs one fails, and the session starts over (and takes over)
            epoch = new CoordinatorEpoch(group, -1);
            log.warn("could not take over in the database: {}; fences wait until it answers", e.getMessage());
        }
        log.info("took over (epoch {}): rebuilt {} migration status(es) from {}", epoch.epoch(), view.all().size(),
                topics.status());
        afterCommit.clear();
        plans.dispose();
        plans = Disposables.composite();
        plansAsked.clear();
        control.pendingPlans().forEach(this::plan);
        Effects paced = control.afterTakeover();
        publishLater(paced.tasks().stream().map(t -> new Effects.Scheduled(t, 0)).toList());
        publishLater(paced.later());
        if (health != null) {
            health.reset();
        }
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
    private void plan(Effects.PlanRequest request) {
        String planId = UUID.randomUUID().toString();
        plansAsked.put(request.migration(), planId);
        Disposable planned = Mono.fromCallable(() -> planner.plan(defined(request.migration()), request.segments(),
                        request.runId()))
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
        Effects fx;
        if (in.topic().equals(topics.commands())) {
            try {
                Command c = codec.decodeCommand(in.value());
                log.info("command {}", Excerpt.of(in.value(), MAX_LOGGED));
                fx = control.onCommand(c, checks);
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
            Event e;
            try {
                e = codec.decodeEvent(in.value());
            } catch (MalformedMessageException ex) {
                log.warn("dropped a malformed event at {}-{}@{}: {}", in.topic(), in.partition(), in.offset(),
                        ex.getMessage());
                return List.of();
            }
            if (e instanceof Event.RunPlanned p && !p.planId().equals(plansAsked.get(p.migration()))) {
                log.warn("dropped a runPlanned at {}-{}@{} for {}: this coordinator did not ask for it", in.topic(),
                        in.partition(), in.offset(), Excerpt.of(p.migration(), 60));
                return List.of();
            }
            if (e instanceof Event.RunPlanned p) {
                plansAsked.remove(p.migration());
            }
            if (e instanceof Event.HealthChanged h && (health == null || !h.watchId().equals(health.id()))) {
                log.debug("dropped a healthChanged of another watch at {}-{}@{}", in.topic(), in.partition(), in.offset());
                return List.of();
            }
            if (e instanceof Event.BatchSkipped skipped) {
                log.info("a worker skipped a task: {}", Excerpt.of(skipped.batch() + ": " + skipped.reason(), MAX_LOGGED));
                return List.of();
            }
            if (e instanceof Event.BatchDelayed delayed && control.awaits(delayed) && !checks.fenceWaitsAt(delayed)) {
                log.warn("dropped a batchDelayed at {}-{}@{} for {}: the fence does not hold that segment open at that"
                        + " cursor (stale, or forged?)", in.topic(), in.partition(), in.offset(),
                        Excerpt.of(delayed.migration() + " segment " + delayed.segment(), MAX_LOGGED));
                return List.of();
            }
            if (e instanceof Event.BatchCompleted done && !done.dryRun() && control.awaits(done)) {
                Optional<StoreChecks.Recorded> verified = checks.recorded(done);
                if (verified.isEmpty()) {
                    log.warn("dropped a batchCompleted at {}-{}@{} for {}: the ledger has no such batch (forged?)",
                            in.topic(), in.partition(), in.offset(), Excerpt.of(done.batch().toString(), MAX_LOGGED));
                    return List.of();
                }
                latencies.add(done.millis(), verified.get().batches());
                e = verified.get().outcome();
            }
            fx = control.onEvent(e);
        }
        // the fence first: once a status or task of this record is out, no batch it stops may apply
        for (RunFence asked : fx.fences()) {
            RunFence written = store.writeFence(asked, epoch);
            if (!written.open() && !asked.isDryRun()) {
                // counted only if the status still waits at that position (BatchOutcomes checks it, as for any outcome)
                checks.waitedFor(asked, written).forEach(applied -> control.count(applied, fx));
            }
        }
        // nothing leaves before the transaction that decided it commits (an aborted one is decided again)
        afterCommit.add(() -> {
            fx.plans().forEach(this::plan);
            fx.tasks().forEach(t -> Optional.ofNullable(waiting.remove(t.key())).ifPresent(Disposable::dispose));
            publishLater(fx.later());
        });
        return outbound(fx);
    }

    /**
     * Publishes tasks at their due time, outside any transaction: a rate limit spaces a migration's batches.
     * A task is idempotent (the fence and the ledger), so one published late, or twice, applies once; if this
     * coordinator dies first, the next one publishes the open segments' batches again ({@code afterTakeover}).
     */
    private void publishLater(List<Effects.Scheduled> tasks) {
        for (Effects.Scheduled s : tasks) {
            long wait = Math.max(0, s.dueMillis() - clock.millis());
            String key = s.task().key();
            Disposable[] self = new Disposable[1];
            Disposable d = Mono.delay(Duration.ofMillis(wait), scheduler)
                    .doOnNext(tick -> waiting.remove(key, self[0]))
                    .then(kafka.publish(List.of(new Outbound(topics.tasks(), key, codec.encode(s.task())))))
                    .subscribe(null, e -> log.warn("could not publish the paced batch {}: {}; it is published again when"
                            + " a coordinator takes over", s.task().batch(), e.toString()));
            self[0] = d;
            Optional.ofNullable(waiting.put(key, d)).ifPresent(Disposable::dispose);
        }
    }

    private List<Outbound> outbound(Effects fx) {
        List<Outbound> out = new ArrayList<>();
        for (MigrationStatus s : fx.statuses()) {
            byte[] json = codec.encode(s);
            if (json.length > StatusBudget.MAX_BYTES) {
                // encoded once on the way out; only a status over its budget is fitted and encoded again
                json = codec.encode(StatusBudget.fit(s, st -> codec.encode(st).length));
                log.warn("the status of {} was over {} bytes: written without its dry run's changes{}", s.name(),
                        StatusBudget.MAX_BYTES, json.length <= StatusBudget.MAX_BYTES ? ""
                                : " and with its texts cut, and still over: its segments' cursors are too long");
            }
            out.add(new Outbound(topics.status(), s.name(), json));
        }
        fx.tasks().forEach(t -> out.add(new Outbound(topics.tasks(), t.key(), codec.encode(t))));
        fx.events().forEach(e -> {
            if (e instanceof Event.CommandRejected r) {
                log.warn("rejected {} of {}: {}", r.command(), r.migration(), r.reason());
            } else if (e instanceof Event.MigrationsListed l) {
                log.info("listed {} migration(s)", l.migrations().size() + l.omitted());
            } else {
                log.info("{}", e);
            }
            out.add(new Outbound(topics.events(), key(e.migration()), codec.encode(e)));
        });
        fx.statuses().forEach(s -> log.debug("status {} {} processed={} cursor={}", s.name(), s.state().json(),
                s.processed(), s.cursor()));
        return out;
    }

    private static String key(String migration) {
        return migration == null ? "*" : migration;
    }
}
