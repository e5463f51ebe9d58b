package dev.keyway.it.bench;

import dev.keyway.codec.JsonCodec;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Event;
import dev.keyway.message.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The coordinator benchmark's workers: one consumer in the workers' group over the tasks topic that answers each
 * task with the outcome a worker would send for a slice of {@value SliceChain#BATCHES} batches of
 * {@value SliceChain#BATCH} rows ({@link SliceChain#claim}), at once, without touching the database: the ledger
 * those batches would have written is there already. Like a worker, it publishes its outcomes in the Kafka transaction
 * that consumes their tasks, and names itself in them. It may hold the tasks instead ({@link #hold}): the benchmark then
 * answers them itself once the ledger says where the runs end ({@link #finish}).
 */
final class SimulatedWorkers implements AutoCloseable {

    /** Tasks handled per poll and transaction. */
    private static final int TASKS_PER_POLL = 500;
    private static final String NAME = "simulated-worker";

    private final KafkaGateway kafka;
    private final Topics topics;
    private final JsonCodec codec = new JsonCodec();
    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong rowsClaimed = new AtomicLong();
    private final AtomicLong lastTaskNanos = new AtomicLong(System.nanoTime());
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** The tasks held since {@link #hold}; null while answering. */
    private List<Task.ProcessBatch> held;
    private boolean finishing;
    private Disposable running;

    SimulatedWorkers(KafkaGateway kafka) {
        this.kafka = kafka;
        this.topics = kafka.settings().topics();
    }

    /** Joins the workers' group and answers tasks from the topic's start. */
    void start() {
        running = kafka.processor(kafka.settings().topicPrefix() + "workers", List.of(topics.tasks()), TASKS_PER_POLL)
                .run(this::handle, () -> { })
                .subscribe(null, failure::set);
    }

    private Mono<List<Outbound>> handle(Inbound in) {
        Task.ProcessBatch task = (Task.ProcessBatch) codec.decodeTask(in.value());
        tasks.incrementAndGet();
        lastTaskNanos.set(System.nanoTime());
        synchronized (this) {
            if (held != null) {
                held.add(task);
                return Mono.just(List.of());
            }
            return Mono.just(List.of(outcome(task, finishing)));
        }
    }

    private Outbound outcome(Task.ProcessBatch task, boolean finish) {
        SliceChain.Claim claim = SliceChain.claim(task.key().segment(), task.key().cursor(), finish);
        rowsClaimed.addAndGet(claim.rows());
        // a slice of 100 batches takes about a second on a real worker
        Event outcome = new Event.BatchCompleted(task.key(), claim.nextCursor(), (int) claim.rows(), claim.done(), false,
                false, List.of(), 0, 1_000, NAME, 0, List.of());
        return new Outbound(topics.events(), task.migration(), codec.encode(outcome));
    }

    /** From now on, tasks are held, not answered ({@link #held()}, {@link #finish}). */
    synchronized void hold() {
        held = new ArrayList<>();
    }

    synchronized int held() {
        return held == null ? 0 : held.size();
    }

    /**
     * Answers the held tasks, and every task from now on, as the slices that end their segments at the cycle's start
     * ({@link SliceChain#FINISH_SQL} must have marked it done); publishes those answers outside a transaction.
     */
    void finish() {
        List<Outbound> answers = new ArrayList<>();
        synchronized (this) {
            finishing = true;
            for (Task.ProcessBatch t : held) {
                answers.add(outcome(t, true));
            }
            held = null;
        }
        for (int i = 0; i < answers.size(); i += TASKS_PER_POLL) {
            kafka.publish(answers.subList(i, Math.min(answers.size(), i + TASKS_PER_POLL))).block();
        }
    }

    /** Tasks received so far. */
    long tasks() {
        return tasks.get();
    }

    /** Rows claimed by every outcome sent so far: what the migrations' statuses must add up to. */
    long rowsClaimed() {
        return rowsClaimed.get();
    }

    /** Seconds since the last task came in. */
    double secondsSinceLastTask() {
        return (System.nanoTime() - lastTaskNanos.get()) / 1e9;
    }

    /** Throws when the consumer stopped for good. */
    void check() {
        if (failure.get() != null) {
            throw new IllegalStateException("the simulated workers stopped: " + failure.get(), failure.get());
        }
    }

    @Override
    public void close() {
        if (running != null) {
            running.dispose();
        }
    }
}
