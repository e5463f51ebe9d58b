package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.Migration;
import dev.keyway.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a migration's {@code migrateOne} over one page, serially or (with {@code parallelize}) up to
 * {@value #PARALLEL_CALLS} at a time, within the batch deadline. Whatever a call throws (any
 * {@link Throwable}: an {@code Error}, a {@code StackOverflowError}, an {@code OutOfMemoryError} of one
 * call) becomes the batch's error naming the document; a call still running at the deadline is
 * interrupted and abandoned, and the batch fails naming it. Only a retriable database error from
 * {@code ctx.db()} is thrown, so that the batch runs again. Thread-safe.
 */
public final class MigrateOneCalls {

    static final int PARALLEL_CALLS = 16;
    /** An exception's text kept in the error: the error travels in events and the status. */
    static final int MAX_ERROR_CHARS = 1_000;
    /** How long all {@code migrateOne} calls of one batch may take unless configured. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);

    private final Scheduler scheduler;
    private final Duration deadline;

    /**
     * @param scheduler where calls run (an elastic scheduler: a call that ignores interruption keeps its thread)
     * @param deadline how long all calls of one batch may take
     */
    public MigrateOneCalls(Scheduler scheduler, Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the batch deadline must be positive, but was " + deadline);
        }
        this.scheduler = scheduler;
        this.deadline = deadline;
    }

    /**
     * The page's outcome: patches by document id in page order, or the first error and its document.
     *
     * @param timedOut the deadline passed while calls still ran: they may still use the transaction, so
     *     the caller must abandon it rather than roll it back on its connection
     */
    record Result(Map<JsonNode, ObjectNode> patches, String error, String documentId, boolean timedOut,
                  List<Failure> failures) {
        Result(Map<JsonNode, ObjectNode> patches, String error, String documentId, boolean timedOut) {
            this(patches, error, documentId, timedOut, List.of());
        }
    }

    /**
     * A document whose call threw, when every document is called ({@link #runEach}).
     *
     * @param database the call threw a database error ({@code ctx.db()}): later calls of the same transaction may
     *     have failed because of it (PostgreSQL refuses every statement after an error until a rollback)
     */
    record Failure(JsonNode id, String error, boolean database) {
    }

    /** One document's result: its id (read before {@code migrateOne} ran), and a patch or an error. */
    private record Applied(JsonNode id, ObjectNode patch, String error, boolean database) {
        Applied(JsonNode id, ObjectNode patch, String error) {
            this(id, patch, error, false);
        }
    }

    Result run(Migration m, BatchContext ctx, List<ObjectNode> page, boolean keepBefore) {
        return run(m, ctx, page, keepBefore, false);
    }

    /**
     * Calls {@code migrateOne} on every document of the page, past those that throw (each one's error in
     * {@link Result#failures()}, the others' patches in {@link Result#patches()}), leaving the page's documents as they
     * were; {@link Result#error()} is set only when the deadline passed.
     */
    Result runEach(Migration m, BatchContext ctx, List<ObjectNode> page) {
        return run(m, ctx, page, true, true);
    }

    private Result run(Migration m, BatchContext ctx, List<ObjectNode> page, boolean keepBefore, boolean each) {
        if (page.isEmpty()) {
            return new Result(Map.of(), null, null, false);
        }
        Set<JsonNode> running = ConcurrentHashMap.newKeySet();
        Mono<List<Applied>> calls = !m.parallelize() || page.size() < 2
                ? Mono.fromCallable(() -> serial(m, ctx, page, keepBefore, each, running)).subscribeOn(scheduler)
                : Flux.fromIterable(page)
                        .flatMapSequential(doc -> Mono.fromCallable(() -> applyOne(m, ctx, doc, keepBefore, running))
                                .subscribeOn(scheduler), PARALLEL_CALLS)
                        .collectList();
        CompletableFuture<List<Applied>> pending = calls.toFuture();
        List<Applied> applied;
        try {
            applied = pending.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // name the document before cancelling: an interrupted call leaves the running set as it ends
            String id = running.stream().findFirst().map(Db::idText).orElse(null);
            pending.cancel(true);
            return new Result(Map.of(), "migrateOne of " + m.name() + " did not return within the batch deadline of "
                    + deadline.toMillis() + " ms on document " + ctx.primaryKey() + "=" + id + " of " + m.table()
                    + "; the batch was rolled back. Fix the migration (a call that hangs or loops), or raise"
                    + " BATCH_DEADLINE_MS, then run it again: it resumes from this batch", id, true);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while migrateOne calls ran", e);
        } catch (ExecutionException e) {
            throw Exceptions.propagate(e.getCause());
        }
        Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
        List<Failure> failures = new ArrayList<>();
        for (Applied a : applied) {
            if (a.error() != null && each) {
                failures.add(new Failure(a.id(), a.error(), a.database()));
                continue;
            }
            if (a.error() != null) {
                return new Result(Map.of(), a.error(), Db.idText(a.id()), false);
            }
            if (a.patch() != null) {
                patches.put(a.id(), a.patch());
            }
        }
        return new Result(patches, null, null, false, failures);
    }

    private static List<Applied> serial(Migration m, BatchContext ctx, List<ObjectNode> page, boolean keepBefore,
                                        boolean each, Set<JsonNode> running) {
        List<Applied> out = new ArrayList<>(page.size());
        for (ObjectNode doc : page) {
            Applied a = applyOne(m, ctx, doc, keepBefore, running);
            out.add(a);
            if (a.error() != null && !each) {
                break;
            }
        }
        return out;
    }

    private static Applied applyOne(Migration m, BatchContext ctx, ObjectNode doc, boolean keepBefore,
                                    Set<JsonNode> running) {
        JsonNode id = ctx.id(doc);
        // migrateOne may change the document it gets: a dry run keeps the before-image on the page
        ObjectNode given = keepBefore ? doc.deepCopy() : doc;
        if (id != null) {
            running.add(id);
        }
        try {
            return new Applied(id, m.migrateOne().migrateOne(ctx.forDocument(id), given), null);
        } catch (StoreException e) {
            if (StoreException.isRetriable(e)) {
                throw e;
            }
            return new Applied(id, null, describe(m, ctx, id, e), true);
        } catch (Throwable e) {
            // anything a user's function throws, Errors included, fails this batch and nothing else
            return new Applied(id, null, describe(m, ctx, id, e));
        } finally {
            if (id != null) {
                running.remove(id);
            }
        }
    }

    private static String describe(Migration m, BatchContext ctx, JsonNode id, Throwable e) {
        String what = e instanceof StackOverflowError ? "java.lang.StackOverflowError (endless recursion?)" : e.toString();
        if (what.length() > MAX_ERROR_CHARS) {
            what = what.substring(0, MAX_ERROR_CHARS) + "…[truncated, " + what.length() + " chars]";
        }
        return "migrateOne of " + m.name() + " threw on document " + ctx.primaryKey() + "="
                + Db.idText(id) + " of " + m.table() + ": " + what
                + "; the batch was rolled back. Fix the data or the migration, then run it again: it resumes"
                + " from this batch";
    }
}
