package dev.keyway.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.kafka.Inbound;
import dev.keyway.message.Event;
import dev.keyway.message.TaskLocation;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.metrics.BatchObserver;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * What happens to a batch, start to end, in one database transaction:
 * <ol>
 *   <li>if the ledger holds (migration, run, segment, cursor), the batch was applied already: report
 *       the recorded outcome again and change nothing;</li>
 *   <li>read and lock the next page of the segment after the cursor;</li>
 *   <li>apply {@code migrateOne} to each document (concurrently with {@code parallelize});</li>
 *   <li>write the returned patches as JDBC batches, record the ledger entry, commit; a dry run instead
 *       reads the changed documents back and rolls back.</li>
 * </ol>
 * A document whose {@code migrateOne} throws, or a non-retriable database error, rolls the batch back
 * and yields {@link Event.BatchFailed}. A retriable database error (connection lost, deadlock) is
 * thrown as {@link StoreException}: the task is not acknowledged and runs again.
 */
public final class BatchProcessor {

    /** A dry run reports at most this many changed documents: the report travels in one Kafka record. */
    static final int MAX_DRY_RUN_CHANGES = 50;

    private final Store store;
    private final MigrationCatalog catalog;
    private final Scheduler parallel;
    private final BatchObserver observer;
    private final String worker;

    /** @param parallel runs {@code migrateOne} calls of migrations that {@code parallelize} */
    public BatchProcessor(Store store, MigrationCatalog catalog, Scheduler parallel, BatchObserver observer,
                          String worker) {
        this.store = store;
        this.catalog = catalog;
        this.parallel = parallel;
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
            if (!task.dryRun()) {
                Optional<LedgerEntry> applied = tx.findLedger(m.name(), task.runId(), task.segment(), task.cursor());
                if (applied.isPresent()) {
                    observer.batch(m.name(), "replayed", 0, System.nanoTime() - start);
                    return replayed(task, applied.get(), start);
                }
            }
            List<ObjectNode> page = tx.readPage(task.cursor(), task.end(), task.batchSize());
            // before migrateOne runs: it may change the documents it is given
            String next = page.isEmpty() ? task.cursor() : tx.cursorOf(page.get(page.size() - 1));
            BatchContext ctx = new BatchContext(tx.db(), m.table(), tx.primaryKey());
            Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
            for (Applied a : apply(m, ctx, page, task.dryRun())) {
                if (a.error() != null) {
                    observer.batch(m.name(), "failed", 0, System.nanoTime() - start);
                    return failed(task, where, a.error(), a.id() == null ? null : a.id().asText());
                }
                if (a.patch() != null) {
                    patches.put(a.id(), a.patch());
                }
            }
            tx.patchAll(patches);
            boolean done = page.size() < task.batchSize();
            if (task.dryRun()) {
                List<Event.DocumentChange> changes = changes(tx, ctx, page);
                observer.batch(m.name(), "dryRun", page.size(), System.nanoTime() - start);
                return completed(task, next, page.size(), done, changes, start);
            }
            LedgerEntry entry = new LedgerEntry(m.name(), task.runId(), task.segment(), task.cursor(), next,
                    page.size(), done);
            if (!tx.recordLedger(entry)) {
                // another worker committed the same batch while this one ran: ours rolls back
                tx.close();
                return replayedFromLedger(task, start);
            }
            tx.commit();
            observer.batch(m.name(), "completed", page.size(), System.nanoTime() - start);
            return completed(task, next, page.size(), done, List.of(), start);
        } catch (StoreException e) {
            if (e.retriable()) {
                throw e;
            }
            observer.batch(m.name(), "failed", 0, System.nanoTime() - start);
            return failed(task, where, e.getMessage(), null);
        }
    }

    /** One document's result: its id (read before {@code migrateOne} ran), and a patch or an error. */
    private record Applied(JsonNode id, ObjectNode patch, String error) {
    }

    private List<Applied> apply(Migration m, BatchContext ctx, List<ObjectNode> page, boolean keepBefore) {
        if (!m.parallelize() || page.size() < 2) {
            List<Applied> out = new ArrayList<>(page.size());
            for (ObjectNode doc : page) {
                Applied a = applyOne(m, ctx, doc, keepBefore);
                out.add(a);
                if (a.error() != null) {
                    break;
                }
            }
            return out;
        }
        return Flux.fromIterable(page)
                .flatMapSequential(doc -> reactor.core.publisher.Mono.fromCallable(() -> applyOne(m, ctx, doc, keepBefore))
                        .subscribeOn(parallel), 16)
                .collectList()
                .block();
    }

    private static Applied applyOne(Migration m, BatchContext ctx, ObjectNode doc, boolean keepBefore) {
        JsonNode id = doc.get(ctx.primaryKey());
        // migrateOne may change the document it gets: a dry run keeps the before-image on the page
        ObjectNode given = keepBefore ? doc.deepCopy() : doc;
        try {
            return new Applied(id, m.migrateOne().migrateOne(ctx, given), null);
        } catch (StoreException e) {
            if (e.retriable()) {
                throw e;
            }
            return new Applied(id, null, describe(m, ctx, id, e));
        } catch (Exception | LinkageError | AssertionError e) {
            return new Applied(id, null, describe(m, ctx, id, e));
        }
    }

    private static String describe(Migration m, BatchContext ctx, JsonNode id, Throwable e) {
        return "migrateOne of " + m.name() + " threw on document " + ctx.primaryKey() + "="
                + (id == null ? null : id.asText()) + " of " + m.table() + ": " + e
                + "; the batch was rolled back. Fix the data or the migration, then run it again: it resumes"
                + " from this batch";
    }

    private static List<Event.DocumentChange> changes(BatchTransaction tx, BatchContext ctx, List<ObjectNode> page) {
        List<JsonNode> ids = page.stream().map(d -> d.get(ctx.primaryKey())).toList();
        Map<String, ObjectNode> after = tx.readByIds(ids);
        List<Event.DocumentChange> out = new ArrayList<>();
        for (ObjectNode before : page) {
            String id = before.get(ctx.primaryKey()).asText();
            ObjectNode now = after.get(id);
            if (!before.equals(now) && out.size() < MAX_DRY_RUN_CHANGES) {
                out.add(new Event.DocumentChange(id, before, now));
            }
        }
        return out;
    }

    private Event replayedFromLedger(ProcessBatch task, long start) {
        Migration m = catalog.find(task.migration()).orElseThrow();
        try (BatchTransaction tx = store.begin(new TableWalk(m.table(), m.customRange()))) {
            LedgerEntry e = tx.findLedger(task.migration(), task.runId(), task.segment(), task.cursor())
                    .orElseThrow(() -> new StoreException("ledger entry vanished for " + task, true, null));
            return replayed(task, e, start);
        }
    }

    private Event replayed(ProcessBatch task, LedgerEntry e, long start) {
        return new Event.BatchCompleted(task.migration(), task.runId(), task.segment(), task.cursor(), e.nextCursor(),
                e.processed(), e.done(), true, false, List.of(), elapsedMillis(start), worker);
    }

    private Event completed(ProcessBatch task, String next, int processed, boolean done,
                            List<Event.DocumentChange> changes, long start) {
        return new Event.BatchCompleted(task.migration(), task.runId(), task.segment(), task.cursor(), next, processed,
                done, false, task.dryRun(), changes, elapsedMillis(start), worker);
    }

    /** A failure the batch cannot get past by running again unchanged (retriable ones are thrown instead). */
    private Event failed(ProcessBatch task, TaskLocation where, String error, String documentId) {
        return new Event.BatchFailed(task.migration(), task.runId(), task.segment(), task.cursor(),
                "segment " + task.segment() + ", cursor " + task.cursor() + ": " + error, documentId, false, where,
                worker);
    }

    private static long elapsedMillis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
