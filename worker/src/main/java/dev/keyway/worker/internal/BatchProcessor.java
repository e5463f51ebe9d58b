package dev.keyway.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.kafka.Inbound;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.message.TaskLocation;
import dev.keyway.metrics.BatchObserver;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.Page;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happens to a batch, start to end, in one database transaction:
 * <ol>
 *   <li>lock the segment's fence row: a coordinator canceling or replacing the run waits for this batch,
 *       and this batch sees a change made before it;</li>
 *   <li>if the ledger holds the batch's key (migration, run, segment, cursor), the batch was applied
 *       already: report the recorded outcome again and change nothing;</li>
 *   <li>unless the fence allows exactly this batch (the current run, open, at this cursor, with this end
 *       and batch size), skip it: a stale, replayed or forged task applies nothing;</li>
 *   <li>read and lock the next page of the segment after the cursor; the next cursor is the page's last key
 *       as selected, before any lock wait ({@link Page}), so a row the application moves meanwhile makes
 *       the walk skip nothing;</li>
 *   <li>apply {@code migrateOne} to each document within the batch deadline ({@link MigrateOneCalls});</li>
 *   <li>write the patches, record the ledger entry, move the fence, commit.</li>
 * </ol>
 * A dry run reads, applies and reports the changed documents, and rolls back; it neither checks nor
 * moves the fence. A document whose {@code migrateOne} throws (any {@link Throwable}) or outlives the
 * deadline, or a database error that needs a fix, rolls the batch back and yields {@link Event.BatchFailed}.
 * A lock the application holds past the lock timeout yields {@link Event.BatchDelayed}. Other retriable
 * database errors are thrown as {@link StoreException}: the task is not acknowledged and runs again.
 */
public final class BatchProcessor {

    /** The longest error or reason an outcome carries: it goes into the status, which is one Kafka record. */
    static final int MAX_ERROR_CHARS = 4_000;

    private final Store store;
    private final MigrationCatalog catalog;
    private final MigrateOneCalls calls;
    private final BatchObserver observer;
    private final String worker;

    public BatchProcessor(Store store, MigrationCatalog catalog, MigrateOneCalls calls, BatchObserver observer,
                          String worker) {
        this.store = store;
        this.catalog = catalog;
        this.calls = calls;
        this.observer = observer;
        this.worker = worker;
    }

    /** Processes one task (blocking); returns its outcome. */
    public Event process(ProcessBatch task, Inbound from) {
        long start = System.nanoTime();
        TaskLocation where = new TaskLocation(from.topic(), from.partition(), from.offset());
        Optional<Migration> def = catalog.find(task.migration());
        if (def.isEmpty()) {
            return failed(task, where, "unknown migration '" + task.migration() + "' on worker " + worker
                    + ": deploy the jar that defines it to every worker", null);
        }
        Migration m = def.get();
        try (BatchTransaction tx = store.begin(new TableWalk(m.table(), m.customRange()))) {
            return task.dryRun() ? dryRun(m, task, tx, where, start) : apply(m, task, tx, where, start);
        } catch (LockTimeoutException e) {
            observer.batch(m.name(), "delayed", 0, System.nanoTime() - start);
            return new Event.BatchDelayed(task.migration(), task.runId(), task.segment(), task.cursor(),
                    Excerpt.of(e.getMessage(), MAX_ERROR_CHARS), worker);
        } catch (StoreException e) {
            if (StoreException.isRetriable(e)) {
                throw e;
            }
            observer.batch(m.name(), "failed", 0, System.nanoTime() - start);
            return failed(task, where, e.getMessage(), null);
        }
    }

    private Event apply(Migration m, ProcessBatch task, BatchTransaction tx, TaskLocation where, long start) {
        BatchKey key = task.batch();
        Optional<SegmentFence> fence = tx.lockFence(m.name(), task.segment());
        Optional<LedgerEntry> applied = tx.findLedger(key);
        if (applied.isPresent()) {
            observer.batch(m.name(), "replayed", 0, System.nanoTime() - start);
            LedgerEntry e = applied.get();
            return new Event.BatchCompleted(task.migration(), task.runId(), task.segment(), task.cursor(),
                    e.nextCursor(), e.processed(), e.done(), true, false, List.of(), elapsedMillis(start), worker);
        }
        String refusal = refusal(task, fence);
        if (refusal != null) {
            observer.batch(m.name(), "skipped", 0, System.nanoTime() - start);
            return new Event.BatchSkipped(task.migration(), task.runId(), task.segment(), task.cursor(), refusal, worker);
        }
        Page page = tx.readPage(task.cursor(), task.end(), task.batchSize());
        List<ObjectNode> docs = page.documents();
        MigrateOneCalls.Result result = calls.run(m, new BatchContext(tx.db(), m.table(), tx.primaryKey()), docs, false);
        if (result.error() != null) {
            if (result.timedOut()) {
                tx.abandon();
            }
            observer.batch(m.name(), "failed", 0, System.nanoTime() - start);
            return failed(task, where, result.error(), result.documentId());
        }
        tx.patchAll(result.patches());
        if (!tx.recordLedger(new LedgerEntry(key, page.nextCursor(), docs.size(), page.last()))) {
            throw new IllegalStateException("the ledger already holds " + key + " though its fence row was locked");
        }
        tx.advanceFence(m.name(), task.segment(), page.nextCursor(), page.last());
        tx.commit();
        observer.batch(m.name(), "completed", docs.size(), System.nanoTime() - start);
        return new Event.BatchCompleted(task.migration(), task.runId(), task.segment(), task.cursor(), page.nextCursor(),
                docs.size(), page.last(), false, false, List.of(), elapsedMillis(start), worker);
    }

    /** Why the fence does not allow this task, or null when it does. */
    static String refusal(ProcessBatch task, Optional<SegmentFence> fence) {
        if (fence.isEmpty()) {
            return "no run of " + task.migration() + " has segment " + task.segment()
                    + " in the fence: the task belongs to a run that was replaced (or was never started)";
        }
        SegmentFence f = fence.get();
        if (!f.runId().equals(task.runId())) {
            return "run " + task.runId() + " is not the current run of " + task.migration() + " (" + f.runId() + ")";
        }
        if (f.state() != SegmentFence.State.OPEN) {
            return "segment " + task.segment() + " of run " + task.runId() + " is " + f.state().sql();
        }
        if (!Objects.equals(f.position(), task.cursor())) {
            return "segment " + task.segment() + " is at cursor " + f.position() + ", not " + task.cursor();
        }
        if (!Objects.equals(f.end(), task.end()) || f.batchSize() != task.batchSize()) {
            return "the task asks for end " + task.end() + " and batch size " + task.batchSize()
                    + ", the run has end " + f.end() + " and batch size " + f.batchSize();
        }
        return null;
    }

    private Event dryRun(Migration m, ProcessBatch task, BatchTransaction tx, TaskLocation where, long start) {
        Page page = tx.readPage(task.cursor(), task.end(), task.batchSize());
        List<ObjectNode> docs = page.documents();
        BatchContext ctx = new BatchContext(tx.db(), m.table(), tx.primaryKey());
        MigrateOneCalls.Result result = calls.run(m, ctx, docs, true);
        if (result.error() != null) {
            if (result.timedOut()) {
                tx.abandon();
            }
            return failed(task, where, result.error(), result.documentId());
        }
        tx.patchAll(result.patches());
        DryRunChanges.Bounded changes = changes(tx, ctx, docs);
        observer.batch(m.name(), "dryRun", docs.size(), System.nanoTime() - start);
        return new Event.BatchCompleted(task.migration(), task.runId(), task.segment(), task.cursor(), page.nextCursor(),
                docs.size(), page.last(), false, true, changes.shown(), changes.omitted(), elapsedMillis(start),
                worker);
    }

    private static DryRunChanges.Bounded changes(BatchTransaction tx, BatchContext ctx, List<ObjectNode> page) {
        List<JsonNode> ids = page.stream().map(d -> d.get(ctx.primaryKey())).toList();
        return DryRunChanges.of(page, tx.readByIds(ids), ctx.primaryKey());
    }

    /** A failure the batch cannot get past by running again unchanged (retriable ones are thrown instead). */
    private Event failed(ProcessBatch task, TaskLocation where, String error, String documentId) {
        return new Event.BatchFailed(task.migration(), task.runId(), task.segment(), task.cursor(),
                Excerpt.of("segment " + task.segment() + ", cursor " + task.cursor() + ": " + error, MAX_ERROR_CHARS),
                documentId == null ? null : Excerpt.of(documentId, MAX_ERROR_CHARS), where, worker);
    }

    private static long elapsedMillis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
