package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.message.Task;
import dev.keyway.message.TaskLocation;
import dev.keyway.migration.Db;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagePage;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.Page;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.RejectedValueException;
import dev.keyway.store.RestoreOutcome;
import dev.keyway.store.RowImage;
import dev.keyway.store.RunFence;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.StatementTimeoutException;
import dev.keyway.store.BatchStore;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What happens to a task: it walks a slice of its segment, batch after batch (up to its {@link dev.keyway.message.Lease}'s
 * batches, for about {@value #SLICE_MILLIS} ms), each batch in its own database transaction:
 * <ol>
 *   <li>lock the segment's fence row: a coordinator canceling, pausing, reconfiguring or replacing the run waits
 *       for this batch, and the next batch sees the change;</li>
 *   <li>if the ledger holds the batch's key (migration, run, segment, cursor), the batch was applied
 *       already (a redelivered task): take its recorded outcome, change nothing, and go on from its end;</li>
 *   <li>unless the fence allows exactly this batch (the current run, open, at this cursor, with this end
 *       and batch size), stop: a stale, replayed or forged task applies nothing, and a slice ends at a pause;</li>
 *   <li>read and lock the next page of the segment after the cursor; the next cursor is the page's last key
 *       as selected, before any lock wait ({@link Page}), so a row the application moves meanwhile makes
 *       the walk skip nothing;</li>
 *   <li>apply {@code migrateOne} to each document within the batch deadline ({@link MigrateOneCalls});</li>
 *   <li>write the patches, record the ledger entry, move the fence, commit.</li>
 * </ol>
 * The task's one outcome: {@link Event.BatchCompleted} from the task's cursor to where the slice got, when at
 * least one batch went through; else what stopped the first batch: {@link Event.BatchSkipped} (the fence
 * refused it), {@link Event.BatchDelayed} (a lock the application held past the lock timeout) or
 * {@link Event.BatchFailed} ({@code migrateOne} threw any {@link Throwable} or outlived the deadline, or a
 * database error that needs a fix). A slice that stops after some progress reports the progress; the next task
 * starts at the trouble and reports it. Batches sized by a time target are retried smaller after a lock or
 * statement timeout first ({@link BatchSizes}). Other retriable database errors are thrown as
 * {@link StoreException}: the task is not acknowledged and runs again (the ledger answers what it applied).
 * A dry run reads, applies and reports one batch and rolls back; it is checked against its own fence row (the
 * coordinator opens it for that dry run and closes it on its report), which it does not move. A verify's batch reads
 * its page without locks and writes none of it: it records the documents {@code migrateOne} would still change
 * ({@link VerifyingBatch}); a fix's batch walks those documents, as a retry of the quarantine walks the quarantine.
 */
public final class BatchProcessor {

    /** The longest error or reason an outcome carries: it goes into the status, which is one Kafka record. */
    static final int MAX_ERROR_CHARS = 4_000;
    /**
     * A slice starts no batch after this long: its outcome moves the status, and its worker's Kafka transaction,
     * open until the poll's slices end, stays well inside the transaction timeout.
     */
    static final long SLICE_MILLIS = 1_000;
    /** Smaller retries of a batch sized by a time target that hit a lock or statement timeout. */
    static final int SMALLER_RETRIES = 2;
    /** Retries of a quarantining batch, each without a document whose call outlived the deadline. */
    static final int TIMED_OUT_RETRIES = 3;

    private final BatchStore store;
    private final MigrationCatalog catalog;
    private final MigrateOneCalls calls;
    private final QuarantiningBatch quarantining;
    private final VerifyingBatch verifying;
    private final BatchObserver observer;
    private final String worker;
    private final BatchSizes sizes = new BatchSizes();
    private final LongSupplier nanos;
    private final LateOutcomes lateOutcomes;

    public BatchProcessor(BatchStore store, MigrationCatalog catalog, MigrateOneCalls calls, BatchObserver observer,
                          String worker) {
        this(store, catalog, calls, observer, worker, System::nanoTime);
    }

    /** @param nanos the clock of how long a task takes (its batch sizes, and whether it failed late) */
    BatchProcessor(BatchStore store, MigrationCatalog catalog, MigrateOneCalls calls, BatchObserver observer, String worker,
                   LongSupplier nanos) {
        this.nanos = nanos;
        this.lateOutcomes = new LateOutcomes(nanos);
        this.store = store;
        this.catalog = catalog;
        this.calls = calls;
        this.quarantining = new QuarantiningBatch(calls);
        this.verifying = new VerifyingBatch(calls);
        this.observer = observer;
        this.worker = worker;
    }

    /**
     * Processes one task (blocking); returns its outcome.
     *
     * @param where where the task came from, named in a {@link Event.BatchFailed} (for a replay by offset reset)
     */
    public Event process(ProcessBatch task, TaskLocation where) {
        Optional<Event> late = lateOutcomes.recall(task, where);
        if (late.isPresent()) {
            // it ended after its Kafka transaction was gone: this time its outcome gets out (LateOutcomes)
            return late.get();
        }
        long start = nanos.getAsLong();
        return lateOutcomes.remember(task, where, outcome(task, where, start), start);
    }

    private Event outcome(ProcessBatch task, TaskLocation where, long start) {
        Optional<Migration> def = catalog.find(task.migration());
        if (def.isEmpty()) {
            return failed(task, where, "unknown migration '" + task.migration() + "' on worker " + worker
                    + ": deploy the jar that defines it to every worker", null);
        }
        Migration m = def.get();
        if (task.walk() != null && !task.walk().equals(Task.walkOf(m))) {
            return failed(task, where, "migration '" + m.name() + "' on worker " + worker + " walks "
                    + Task.walkOf(m) + ", but the coordinator planned it over " + task.walk()
                    + ": they run different versions of the jar that defines it; deploy the same jar to the coordinator"
                    + " and every worker, then retry", null);
        }
        if (task.dryRun()) {
            try (BatchTransaction tx = store.begin(new TableWalk(m.table(), m.customRange()))) {
                return dryRun(m, task, tx, where, start);
            } catch (StoreException e) {
                if (StoreException.isRetriable(e)) {
                    throw e;
                }
                return failed(task, where, e.getMessage(), documentIdOf(e));
            }
        }
        return slice(m, task, where, start);
    }

    /** What one batch of a slice came to, and its name in the batch metrics. */
    private enum Kind {
        APPLIED("completed"), REPLAYED("replayed"), REFUSED("skipped"), DELAYED("delayed"), TOO_SLOW("failed"),
        TIMED_OUT("failed"), FAILED("failed");

        final String metric;

        Kind(String metric) {
            this.metric = metric;
        }
    }

    /**
     * @param next where the next batch starts (applied, replayed)
     * @param reason why it stopped (refused, delayed, too slow, failed)
     * @param documentId the document whose {@code migrateOne} failed, or null
     * @param quarantined documents the batch set aside; {@code quarantinedIds} names those of an applied batch
     */
    private record Step(Kind kind, String next, int processed, boolean done, boolean fullPage, String reason,
                        String documentId, int quarantined, List<String> quarantinedIds,
                        List<Event.DocumentChange> sample) {
        static Step stopped(Kind kind, String reason, String documentId) {
            return new Step(kind, null, 0, false, false, reason, documentId, 0, List.of(), List.of());
        }
    }

    private Event slice(Migration m, ProcessBatch task, TaskLocation where, long start) {
        String cursor = task.key().cursor();
        long processed = 0;
        int batches = 0;
        boolean done = false;
        boolean replayedOnly = true;
        int size = sizes.first(task);
        int retries = 0;
        long quarantined = 0;
        List<String> quarantinedIds = new ArrayList<>();
        List<Event.DocumentChange> sample = new ArrayList<>();
        Map<String, String> timedOut = new LinkedHashMap<>();
        while (true) {
            long batchStart = nanos.getAsLong();
            Step step = batch(m, task, cursor, size, timedOut);
            long millis = elapsedMillis(batchStart);
            observer.batch(m.name(), step.kind().metric,
                    step.kind() == Kind.APPLIED ? step.processed() : 0, nanos.getAsLong() - batchStart);
            if (step.kind() == Kind.APPLIED || step.kind() == Kind.REPLAYED) {
                cursor = step.next();
                processed += step.processed();
                quarantined += step.quarantined();
                quarantinedIds.addAll(step.quarantinedIds());
                step.sample().stream().limit(MigrationStatus.Verification.MAX_SAMPLE - sample.size()).forEach(sample::add);
                timedOut.clear();
                done = step.done();
                batches++;
                retries = 0;
                if (step.kind() == Kind.APPLIED) {
                    replayedOnly = false;
                    size = sizes.after(task, size, millis, step.fullPage());
                }
            } else if (step.kind() == Kind.TIMED_OUT && task.quarantine() && step.documentId() != null
                    && timedOut.size() < TIMED_OUT_RETRIES && !timedOut.containsKey(step.documentId())) {
                timedOut.put(step.documentId(), step.reason()); // the batch again, with that document set aside
                continue;
            } else if ((step.kind() == Kind.DELAYED || step.kind() == Kind.TOO_SLOW) && task.lease().adaptive()
                    && size > 1 && retries < SMALLER_RETRIES) {
                size = sizes.smaller(task, size);
                retries++;
                continue;
            } else if (batches > 0) {
                break; // report the progress; the next task starts at what stopped this batch
            } else {
                return stopped(task, step, where);
            }
            if (done || batches >= task.lease().batches() || elapsedMillis(start) >= SLICE_MILLIS) {
                break;
            }
        }
        if (done) {
            sizes.done(task);
        }
        return new Event.BatchCompleted(task.key(), cursor, (int) processed, done, replayedOnly, false, sample, 0,
                elapsedMillis(start), worker, (int) quarantined, quarantinedIds);
    }

    private Event stopped(ProcessBatch task, Step step, TaskLocation where) {
        return switch (step.kind()) {
            case REFUSED -> new Event.BatchSkipped(task.key(), step.reason(), worker);
            case DELAYED -> new Event.BatchDelayed(task.key(), Excerpt.of(step.reason(), MAX_ERROR_CHARS), worker);
            default -> failed(task, where, step.reason(), step.documentId());
        };
    }

    /** One batch of the slice at {@code cursor}, in its own transaction. */
    private Step batch(Migration m, ProcessBatch task, String cursor, int size, Map<String, String> timedOut) {
        try (BatchTransaction tx = store.begin(new TableWalk(m.table(), m.customRange()))) {
            BatchKey key = task.key().at(cursor);
            BatchTransaction.BatchStart start = tx.lockFenceAndFindLedger(key);
            Optional<SegmentFence> fence = start.fence();
            Optional<LedgerEntry> applied = start.applied();
            if (applied.isPresent()) {
                LedgerEntry e = applied.get();
                return new Step(Kind.REPLAYED, e.nextCursor(), e.processed(), e.done(), false, null, null,
                        e.quarantined(), List.of(), List.of());
            }
            String refusal = refusal(task, cursor, fence);
            if (refusal != null) {
                return Step.stopped(Kind.REFUSED, refusal, null);
            }
            if (task.kind() == RunKind.VERIFY) {
                return verify(m, task, key, tx, size);
            }
            if (task.kind() == RunKind.UNDO) {
                return undo(m, task, key, tx, size);
            }
            if (task.keepImages()) {
                tx.keepImages(key); // the page's locked rows are the before-images of the rows it changes
            }
            // a run over the documents in quarantine (or that a verify found) takes them out of it in this transaction
            Page page = task.onlyQuarantined() ? tx.takeQuarantined(m.name(), cursor, size)
                    : task.kind() == RunKind.FIX ? tx.takeVerifyFindings(m.name(), cursor, size)
                    : tx.readPage(cursor, task.end(), size);
            List<ObjectNode> docs = page.documents();
            BatchContext ctx = new BatchContext(tx.db(), m.table(), tx.primaryKey());
            List<QuarantinedDocument> aside = List.of();
            if (task.quarantine()) {
                QuarantiningBatch.Outcome q = quarantining.apply(m, key, tx, ctx, docs, timedOut);
                if (q.timedOut()) {
                    tx.abandon();
                    return Step.stopped(Kind.TIMED_OUT, q.error(), q.documentId());
                }
                aside = q.setAside();
            } else {
                MigrateOneCalls.Result result = calls.run(m, ctx, docs, false);
                if (result.error() != null) {
                    if (result.timedOut()) {
                        tx.abandon();
                    }
                    return Step.stopped(Kind.FAILED, result.error(), result.documentId());
                }
                tx.patchAll(result.patches());
            }
            commit(tx, new LedgerEntry(key, page.nextCursor(), docs.size(), page.last(), aside.size()));
            return new Step(Kind.APPLIED, page.nextCursor(), docs.size(), page.last(), docs.size() == size, null, null,
                    aside.size(), QuarantiningBatch.ids(aside), List.of());
        } catch (LockTimeoutException e) {
            return Step.stopped(Kind.DELAYED, e.getMessage(), null);
        } catch (StatementTimeoutException e) {
            return Step.stopped(Kind.TOO_SLOW, e.getMessage(), null);
        } catch (StoreException e) {
            if (StoreException.isRetriable(e)) {
                throw e;
            }
            return Step.stopped(Kind.FAILED, e.getMessage(), documentIdOf(e));
        }
    }

    /**
     * A verify's batch at {@code key}, with its fence row locked: its page read without locks, the documents
     * {@code migrateOne} would still change recorded in {@code keyway_verify} ({@link VerifyingBatch}), counted in its
     * ledger row, its fence moved; the application's rows are neither locked nor written.
     */
    private Step verify(Migration m, ProcessBatch task, BatchKey key, BatchTransaction tx, int size) {
        Page page = tx.readPageWithoutLocks(key.cursor(), task.end(), size);
        List<ObjectNode> docs = page.documents();
        VerifyingBatch.Outcome v = verifying.check(m, key, tx, docs);
        if (v.error() != null) {
            if (v.timedOut()) {
                tx.abandon();
            }
            return Step.stopped(Kind.FAILED, v.error(), v.documentId());
        }
        tx.recordVerifyFindings(v.findings());
        commit(tx, new LedgerEntry(key, page.nextCursor(), docs.size(), page.last(), v.findings().size()));
        return new Step(Kind.APPLIED, page.nextCursor(), docs.size(), page.last(), docs.size() == size, null, null,
                v.findings().size(), v.findings().stream().map(QuarantinedDocument::key).toList(), v.sample());
    }

    /**
     * An undo's batch at {@code key}, with its fence row locked: the next page of the before-images of the run it takes
     * back, each row restored in this transaction ({@link BatchTransaction#restore}: a row the application changed
     * since that run is left as it is and recorded as a conflict, unless forced), counted in its ledger row, its fence
     * moved. A replayed batch restores nothing again (the ledger answers it), and a row restored already is restored
     * without a write.
     */
    private Step undo(Migration m, ProcessBatch task, BatchKey key, BatchTransaction tx, int size) {
        if (task.undoOf() == null) {
            return Step.stopped(Kind.FAILED, "an undo task of " + m.name() + " names no run to undo (a forged task?)",
                    null);
        }
        ImagePage page = tx.readImages(m.name(), task.undoOf().runId(), key.cursor(), task.end(), size);
        List<QuarantinedDocument> conflicts = new ArrayList<>();
        for (RowImage image : page.images()) {
            if (tx.restore(image, task.undoOf().force()) == RestoreOutcome.CONFLICT) {
                conflicts.add(new QuarantinedDocument(m.name(), key.runId(), key.segment(), image.table() + " "
                        + image.key(), "changed since run " + task.undoOf().runId() + " (its hash is no longer the one"
                        + " the run left): left as it is; undo --force overwrites it", image.before(), 0));
            }
        }
        tx.recordUndoConflicts(conflicts);
        int restored = page.images().size();
        commit(tx, new LedgerEntry(key, page.nextCursor(), restored, page.last(), conflicts.size()));
        return new Step(Kind.APPLIED, page.nextCursor(), restored, page.last(), restored == size, null, null,
                conflicts.size(), conflicts.stream().map(QuarantinedDocument::key).toList(), List.of());
    }

    /**
     * The end of every batch that applied: its ledger row, its segment's fence moved to where it ended, and the commit
     * that makes them and the batch's writes one. The fence row is locked, so the ledger cannot already hold the batch.
     */
    private static void commit(BatchTransaction tx, LedgerEntry batch) {
        if (!tx.recordLedgerAndAdvance(batch)) {
            throw new IllegalStateException("the ledger already holds " + batch.key() + " though its fence row was locked");
        }
        tx.commit();
    }

    /** Why the fence does not allow this task, or null when it does. */
    static String refusal(ProcessBatch task, String cursor, Optional<SegmentFence> fence) {
        BatchKey key = task.key();
        if (fence.isEmpty()) {
            return "no run of " + key.migration() + " has segment " + key.segment()
                    + " in the fence: the task belongs to a run that was replaced (or was never started)";
        }
        SegmentFence f = fence.get();
        if (!f.runId().equals(key.runId())) {
            return "run " + key.runId() + " is not the current run of " + key.migration() + " (" + f.runId() + ")";
        }
        if (f.state() != SegmentFence.State.OPEN) {
            return "segment " + key.segment() + " of run " + key.runId() + " is " + f.state().sql();
        }
        if (!Objects.equals(f.position(), cursor)) {
            return "segment " + key.segment() + " is at cursor " + f.position() + ", not " + cursor;
        }
        // a task of a batch size a configure changed since still goes: the ledger keys batches by cursor, not size
        if (!Objects.equals(f.end(), task.end())) {
            return "the task asks for end " + task.end() + ", the run's segment " + key.segment() + " ends at " + f.end();
        }
        return null;
    }

    private Event dryRun(Migration m, ProcessBatch task, BatchTransaction tx, TaskLocation where, long start) {
        String refusal = refusal(task, task.key().cursor(), tx.lockFence(m.name(), RunFence.DRY_RUN));
        if (refusal != null) {
            return new Event.BatchSkipped(task.key(), "dry run: " + refusal, worker);
        }
        Page page = tx.readPage(task.key().cursor(), task.end(), task.batchSize());
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
        observer.batch(m.name(), "dryRun", docs.size(), nanos.getAsLong() - start);
        return new Event.BatchCompleted(task.key(), page.nextCursor(), docs.size(), page.last(), false, true,
                changes.shown(), changes.omitted(), elapsedMillis(start), worker);
    }

    private static DryRunChanges.Bounded changes(BatchTransaction tx, BatchContext ctx, List<ObjectNode> page) {
        List<JsonNode> ids = page.stream().map(ctx::id).toList();
        return DryRunChanges.of(page, tx.readByIds(ids), d -> Db.idText(ctx.id(d)));
    }

    /** A failure the batch cannot get past by running again unchanged (retriable ones are thrown instead). */
    private Event failed(ProcessBatch task, TaskLocation where, String error, String documentId) {
        return new Event.BatchFailed(task.key(),
                Excerpt.of("segment " + task.key().segment() + ", cursor " + task.key().cursor() + ": " + error,
                        MAX_ERROR_CHARS),
                documentId == null ? null : Excerpt.of(documentId, MAX_ERROR_CHARS), where, worker);
    }

    /** The document a value the database refused belongs to, or null when the failure is not about one. */
    private static String documentIdOf(StoreException e) {
        return e instanceof RejectedValueException rejected ? rejected.documentId() : null;
    }

    private long elapsedMillis(long start) {
        return (nanos.getAsLong() - start) / 1_000_000;
    }
}
