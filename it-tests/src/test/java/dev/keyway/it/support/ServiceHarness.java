package dev.keyway.it.support;

import dev.keyway.client.MigrationsClient;
import dev.keyway.coordinator.Coordinator;
import dev.keyway.coordinator.CoordinatorObserver;
import dev.keyway.coordinator.CoordinatorThreads;
import dev.keyway.coordinator.HealthLimits;
import dev.keyway.coordinator.notify.Notifier;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.batch.BatchObserver;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import dev.keyway.worker.Worker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A coordinator and workers in this JVM on a real broker and a real database, with a fresh topic
 * prefix (and so fresh topics and consumer groups) per harness.
 */
public final class ServiceHarness implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Slices each in-process worker runs at once: as many as the store's default pool has connections. */
    static final int SLICES = 4;

    private final KafkaGateway kafka;
    private final Store store;
    private final MigrationCatalog catalog;
    private final Scheduler blocking = Schedulers.newBoundedElastic(8, 10_000, "it-blocking");
    private final Scheduler parallel = Schedulers.newBoundedElastic(32, 10_000, "it-migrate-one");
    private final List<Disposable> running = new ArrayList<>();
    private final List<Disposable> coordinators = new ArrayList<>();
    private final MigrationsClient client;
    private Duration batchDeadline = Duration.ofSeconds(5);

    private ServiceHarness(KafkaGateway kafka, Store store, MigrationCatalog catalog) {
        this.kafka = kafka;
        this.store = store;
        this.catalog = catalog;
        this.client = new MigrationsClient(kafka);
    }

    /** Starts a coordinator and {@code workers} workers. */
    public static ServiceHarness start(String bootstrap, StoreOptions db, MigrationCatalog catalog, int workers) {
        KafkaSettings settings = KafkaSettings.defaults().withBootstrapServers(bootstrap)
                .withTopicPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".").withTaskPartitions(4);
        KafkaGateway kafka = KafkaGateway.connect(settings, Duration.ofSeconds(20));
        kafka.ensureTopics();
        ServiceHarness h = new ServiceHarness(kafka, Store.open(db.withPoolSize(10)), catalog);
        h.startCoordinator();
        for (int i = 0; i < workers; i++) {
            h.startWorker();
        }
        return h;
    }

    public Disposable startCoordinator() {
        return startCoordinator(catalog);
    }

    /** A coordinator that knows these migrations (as after a deploy that changed them); dispose it to stop it. */
    public Disposable startCoordinator(MigrationCatalog migrations) {
        return startCoordinator(migrations, HealthLimits.none());
    }

    /** A coordinator that also watches the database's health against {@code health}. */
    public Disposable startCoordinator(MigrationCatalog migrations, HealthLimits health) {
        return startCoordinator(migrations, health, store);
    }

    /** A coordinator on its own store (another database role, say); the caller closes that store. */
    public Disposable startCoordinator(MigrationCatalog migrations, HealthLimits health, Store itsStore) {
        Disposable d = new Coordinator(kafka, itsStore, migrations, Clock.systemUTC(), blocking, health).run().subscribe();
        running.add(d);
        coordinators.add(d);
        return d;
    }

    /**
     * A coordinator on its own store and threads, as {@code CoordinatorMain} runs one (its pool of 4 connections,
     * {@link CoordinatorThreads#bounded()}); the caller closes the store after {@link #close()}.
     */
    public Disposable startCoordinator(Store own, CoordinatorThreads threads) {
        Disposable d = new Coordinator(kafka, own, catalog, Clock.systemUTC(), threads, HealthLimits.none()).run()
                .doFinally(s -> threads.dispose()).subscribe();
        running.add(d);
        coordinators.add(d);
        return d;
    }

    /** A coordinator that tells {@code notifier} what happened to runs, after each commit. */
    public Disposable startCoordinator(Notifier notifier) {
        Disposable d = new Coordinator(kafka, store, catalog, Clock.systemUTC(), CoordinatorThreads.shared(blocking),
                HealthLimits.none(), CoordinatorObserver.none(), notifier).run().subscribe();
        running.add(d);
        coordinators.add(d);
        return d;
    }

    /** Stops every coordinator started so far (their consumers leave the group). */
    public void stopCoordinators() {
        coordinators.forEach(Disposable::dispose);
        coordinators.clear();
    }

    public Disposable startWorker() {
        return startWorker(BatchObserver.none());
    }

    /** A worker that reports each batch to {@code observer} (as its metrics do). */
    public Disposable startWorker(BatchObserver observer) {
        Disposable d = new Worker(kafka, store, catalog, blocking, parallel, batchDeadline, observer,
                "it-worker-" + running.size(), SLICES).run().subscribe();
        running.add(d);
        return d;
    }

    public MigrationCatalog catalog() {
        return catalog;
    }

    /** The batch deadline of workers started from now on. */
    public ServiceHarness withBatchDeadline(Duration deadline) {
        this.batchDeadline = deadline;
        return this;
    }

    public MigrationsClient client() {
        return client;
    }

    public KafkaGateway kafka() {
        return kafka;
    }

    public Store store() {
        return store;
    }

    public Event send(Command c) {
        return client.send(c, TIMEOUT);
    }

    /** Runs and waits until {@code last} succeeds or any migration fails or is canceled. */
    public MigrationStatus runToEnd(Command.Run run) {
        String last = run.next().isEmpty() ? run.fn() : run.next().get(run.next().size() - 1);
        long sent = System.currentTimeMillis();
        Event answer = send(run);
        if (!(answer instanceof Event.CommandAccepted)) {
            throw new AssertionError("run refused: " + answer);
        }
        return awaitEnd(last, sent);
    }

    public MigrationStatus awaitEnd(String last, long since) {
        return client.awaitStatus(s -> s.updatedAt() >= since && (s.state() == MigrationState.FAILED
                || s.state() == MigrationState.CANCELED
                || (s.name().equals(last) && s.state() == MigrationState.SUCCESS)), TIMEOUT);
    }

    public MigrationStatus status(String name) {
        MigrationStatus s = client.statuses().get(name);
        if (s == null) {
            throw new AssertionError("no status for " + name);
        }
        return s;
    }

    @Override
    public void close() {
        running.forEach(Disposable::dispose);
        blocking.dispose();
        parallel.dispose();
        kafka.close();
        store.close();
    }
}
