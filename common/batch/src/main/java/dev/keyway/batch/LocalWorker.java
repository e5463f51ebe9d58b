package dev.keyway.batch;

import dev.keyway.message.Event;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.BatchStore;
import dev.keyway.store.RunLedger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.scheduler.Scheduler;

/**
 * A worker without Kafka: applies the tasks its caller hands it, in the calling thread, through the same
 * {@link BatchProcessor} a {@link Worker} runs for the tasks it consumes: the fence, the ledger, one database
 * transaction per batch, the batch deadline, the same outcomes. For the in-process test harness
 * ({@code keyway-testing}) and tools that walk a table themselves.
 *
 * <p>As with a coordinator, the caller writes the run's fence first ({@link RunLedger#writeFence}); a task the fence
 * does not allow is refused ({@link Event.BatchSkipped}) and applies nothing. Thread-safe. The store and the
 * scheduler stay the caller's to close.
 */
public final class LocalWorker {

    /** How long all {@code migrateOne} calls of one batch may take unless configured: the workers' default. */
    public static final Duration DEFAULT_BATCH_DEADLINE = MigrateOneCalls.DEFAULT_DEADLINE;

    private final BatchProcessor batches;
    private final String name;
    private final AtomicLong handed = new AtomicLong();

    /**
     * @param calls runs {@code migrateOne} calls (an elastic scheduler: a call that hangs keeps its thread)
     * @param batchDeadline how long all {@code migrateOne} calls of one batch may take
     * @param name this worker's name in outcomes
     */
    public LocalWorker(BatchStore store, MigrationCatalog catalog, Scheduler calls, Duration batchDeadline, String name) {
        this.batches = new BatchProcessor(store, catalog, new MigrateOneCalls(calls, batchDeadline),
                BatchObserver.none(), name);
        this.name = name;
    }

    /**
     * Applies one task (blocking) and returns its outcome, as a {@link Worker} would publish it. A retriable
     * database error is thrown as a {@link dev.keyway.store.StoreException} for which
     * {@link dev.keyway.store.StoreException#isRetriable} holds: hand the task in again (the ledger makes that
     * safe), as Kafka redelivers it to a worker.
     */
    public Event apply(Task.ProcessBatch task) {
        // a failed outcome names where its task came from: here, this worker and the task's sequence number
        return batches.process(task, new TaskLocation("local:" + name, 0, handed.getAndIncrement()));
    }
}
