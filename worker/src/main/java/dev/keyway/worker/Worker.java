package dev.keyway.worker;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaAccessDeniedException;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Event;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import dev.keyway.batch.BatchObserver;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.Store;
import dev.keyway.batch.BatchProcessor;
import dev.keyway.batch.MigrateOneCalls;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * A stateless worker: consumes batch tasks in the workers' consumer group, walks each task's slice of batches,
 * each batch in one database transaction ({@link BatchProcessor}), and publishes the task's outcome in the same
 * Kafka transaction as the task's offset. Any number of workers may run; the tasks topic's partitions are
 * spread over them.
 */
public final class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** The most slices one worker may run at once ({@code WORKER_SLICES}). */
    public static final int MAX_SLICES = 64;

    private final KafkaGateway kafka;
    private final int slices;
    private final Topics topics;
    private final Store store;
    private final BatchProcessor batches;
    private final Scheduler blocking;
    private final JsonCodec codec = new JsonCodec();

    /**
     * @param blocking runs the database work of a batch
     * @param calls runs {@code migrateOne} calls (an elastic scheduler: a call that hangs keeps its thread)
     * @param batchDeadline how long all {@code migrateOne} calls of one batch may take
     * @param name this worker's name in outcomes and logs
     * @param slices how many tasks (each a slice of batches of one segment, each batch on its own connection) it runs
     *     at once, 1 to {@value #MAX_SLICES}: it fetches that many per poll, runs them side by side and commits their
     *     outcomes in one Kafka transaction. One process with N slices uses N cores as N processes of one slice would
     *     (as Spring Batch's partitions use threads); {@code blocking} and the store's pool need at least that many
     *     threads and connections
     */
    public Worker(KafkaGateway kafka, Store store, MigrationCatalog catalog, Scheduler blocking, Scheduler calls,
                  Duration batchDeadline, BatchObserver observer, String name, int slices) {
        if (slices < 1 || slices > MAX_SLICES) {
            throw new IllegalArgumentException("a worker runs 1 to " + MAX_SLICES + " slices at once, not " + slices);
        }
        this.kafka = kafka;
        this.slices = slices;
        this.topics = kafka.settings().topics();
        this.store = store;
        this.blocking = blocking;
        this.batches = new BatchProcessor(store, catalog, new MigrateOneCalls(calls, batchDeadline), observer, name);
    }

    /** The slices a worker runs at once unless told: the machine's cores. */
    public static int defaultSlices() {
        return Math.max(1, Math.min(MAX_SLICES, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * {@code WORKER_SLICES} of {@code env}: the slices a worker runs at once, {@link #defaultSlices} when unset.
     *
     * @throws IllegalArgumentException when it is not a whole number from 1 to {@value #MAX_SLICES}
     */
    public static int slicesFromEnv(java.util.Map<String, String> env) {
        String v = env.get("WORKER_SLICES");
        if (v == null || v.isBlank()) {
            return defaultSlices();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= MAX_SLICES) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("WORKER_SLICES must be a whole number from 1 to " + MAX_SLICES
                + " (the slices one worker runs at once; unset: the machine's cores, " + defaultSlices() + "), not '"
                + v + "'");
    }

    /** Runs until cancelled. Creates the topics and the ledger table if missing. */
    public Mono<Void> run() {
        return Mono.fromRunnable(() -> {
            kafka.ensureTopics();
            store.ensureBookkeeping();
        }).subscribeOn(blocking)
                .retryWhen(Retry.backoff(5, Duration.ofMillis(200))
                        // a refused login or a missing ACL does not pass by itself; and the last failure says why
                        .filter(e -> !(e instanceof KafkaAccessDeniedException))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure())
                        .doBeforeRetry(s -> log.warn(
                                "setting up the topics and the bookkeeping tables failed, trying again: {}", s.failure().toString())))
                .then(kafka.processor(kafka.settings().topicPrefix() + "workers",
                List.of(topics.tasks()), slices, slices).run(this::handle, () -> { }));
    }

    private Mono<List<Outbound>> handle(Inbound in) {
        Task.ProcessBatch task;
        try {
            task = (Task.ProcessBatch) codec.decodeTask(in.value());
        } catch (MalformedMessageException e) {
            log.warn("skipped a malformed task at {}-{}@{}: {}", in.topic(), in.partition(), in.offset(), e.getMessage());
            return Mono.just(List.of());
        }
        return Mono.fromCallable(() -> batches.process(task, new TaskLocation(in.topic(), in.partition(), in.offset())))
                .subscribeOn(blocking)
                .doOnError(e -> log.warn("batch {} will run again: {}", task.key(), e.toString()))
                .map(this::outbound);
    }

    private List<Outbound> outbound(Event outcome) {
        if (outcome instanceof Event.BatchFailed f) {
            log.warn("batch failed: {} ({})", f.error(), f.migration());
        } else if (outcome instanceof Event.BatchSkipped s) {
            log.info("skipped a task of {}: {}", s.key(), s.reason());
        } else if (outcome instanceof Event.BatchDelayed d) {
            log.info("batch {} delayed: {}", d.key(), d.reason());
        }
        return List.of(new Outbound(topics.events(), outcome.migration(), codec.encode(outcome)));
    }
}
