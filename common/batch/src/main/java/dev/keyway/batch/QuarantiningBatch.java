package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.migration.Db;
import dev.keyway.migration.Migration;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.RejectedValueException;
import dev.keyway.store.StatementTimeoutException;
import dev.keyway.store.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A page of a run that quarantines: each document whose {@code migrateOne} throws, or whose write the database refuses,
 * is set aside and the rest of the page is applied, all in the batch's transaction. After the page is read and locked
 * the transaction takes one savepoint; a pass calls {@code migrateOne} on every document not set aside (in parallel if
 * the migration says so) and writes their patches. When a document fails, the transaction goes back to the savepoint
 * (undoing the pass's patches and {@code ctx.db()} writes, which parallel calls interleave and no per-document savepoint
 * could take apart) and the next pass runs without it. Each pass sets at least one document aside, so a page of
 * {@code n} documents takes at most {@code n + 1} passes; a page without failures takes one, with one savepoint.
 * A document that fails with a database error ({@code ctx.db()}) is set aside alone in its pass: on PostgreSQL the calls
 * after it in the same transaction fail because of it, not of themselves. Batch-level failures (a lock or statement
 * timeout, a retriable error) are thrown as they are; the deadline's end is returned ({@link Outcome#timedOut()}) for
 * the caller to abandon the transaction and run the page again with that document set aside.
 */
final class QuarantiningBatch {

    private final MigrateOneCalls calls;

    QuarantiningBatch(MigrateOneCalls calls) {
        this.calls = calls;
    }

    /**
     * What the page came to.
     *
     * @param setAside the documents set aside, recorded in the transaction
     * @param timedOut the deadline passed: the transaction must be abandoned; {@code error} and {@code documentId} name
     *     the document that was running
     */
    record Outcome(List<QuarantinedDocument> setAside, boolean timedOut, String error, String documentId) {
    }

    /**
     * Applies {@code migrateOne} to the page, setting aside what fails, and records the set-aside documents in the
     * transaction; the caller records the ledger entry and commits.
     *
     * @param already documents set aside before (a call that outlived an earlier attempt's deadline), by id text: not
     *     called again, recorded with that error
     */
    Outcome apply(Migration m, BatchKey key, BatchTransaction tx, BatchContext ctx, List<ObjectNode> page,
                  Map<String, String> already) {
        Map<String, QuarantinedDocument> aside = new LinkedHashMap<>();
        for (ObjectNode doc : page) {
            String error = already.get(Db.idText(ctx.id(doc)));
            if (error != null) {
                aside.put(Db.idText(ctx.id(doc)), record(key, ctx, doc, error));
            }
        }
        tx.savepoint();
        while (true) {
            List<ObjectNode> remaining = page.stream().filter(d -> !aside.containsKey(Db.idText(ctx.id(d)))).toList();
            MigrateOneCalls.Result result = calls.runEach(m, ctx, remaining);
            if (result.timedOut()) {
                return new Outcome(List.of(), true, result.error(), result.documentId());
            }
            if (!result.failures().isEmpty()) {
                setAside(key, ctx, remaining, result.failures(), aside);
                tx.rollbackToSavepoint();
                continue;
            }
            Refused refused = write(tx, result.patches());
            if (refused == null) {
                break;
            }
            ObjectNode doc = remaining.stream().filter(d -> ctx.id(d).equals(refused.id())).findFirst().orElseThrow();
            aside.put(Db.idText(refused.id()), record(key, ctx, doc, refused.why()));
        }
        List<QuarantinedDocument> out = page.stream().map(d -> aside.get(Db.idText(ctx.id(d))))
                .filter(Objects::nonNull).toList(); // in page order
        tx.quarantine(out);
        return new Outcome(out, false, null, null);
    }

    /** A document whose write the database refused, and why. */
    private record Refused(JsonNode id, String why) {
    }

    /**
     * Writes the patches; when the database refuses one, goes back to the savepoint and returns that document's id
     * (found by writing them one at a time when the error does not name it); null when all were written.
     */
    private static Refused write(BatchTransaction tx, Map<JsonNode, ObjectNode> patches) {
        try {
            tx.patchAll(patches);
            return null;
        } catch (StoreException e) {
            rethrowBatchLevel(e);
            tx.rollbackToSavepoint();
            if (e instanceof RejectedValueException r && r.documentId() != null) {
                for (JsonNode id : patches.keySet()) {
                    if (Db.idText(id).equals(r.documentId())) {
                        return new Refused(id, e.getMessage());
                    }
                }
            }
            for (Map.Entry<JsonNode, ObjectNode> one : patches.entrySet()) {
                try {
                    tx.patchAll(Map.of(one.getKey(), one.getValue()));
                } catch (StoreException single) {
                    rethrowBatchLevel(single);
                    tx.rollbackToSavepoint();
                    return new Refused(one.getKey(), single.getMessage());
                }
            }
            throw e; // refused together, written one by one: not one document's fault
        }
    }

    private static void rethrowBatchLevel(StoreException e) {
        if (StoreException.isRetriable(e) || e instanceof LockTimeoutException || e instanceof StatementTimeoutException) {
            throw e;
        }
    }

    /** Sets the pass's failures aside: all of them, but of database errors only the first in page order. */
    private static void setAside(BatchKey key, BatchContext ctx, List<ObjectNode> pass,
                                 List<MigrateOneCalls.Failure> failures, Map<String, QuarantinedDocument> aside) {
        Map<String, MigrateOneCalls.Failure> byId = new LinkedHashMap<>();
        failures.forEach(f -> byId.put(Db.idText(f.id()), f));
        boolean databaseErrorTaken = false;
        for (ObjectNode doc : pass) {
            MigrateOneCalls.Failure f = byId.get(Db.idText(ctx.id(doc)));
            if (f == null || (f.database() && databaseErrorTaken)) {
                continue;
            }
            databaseErrorTaken |= f.database();
            aside.put(Db.idText(f.id()), record(key, ctx, doc, f.error()));
        }
    }

    private static QuarantinedDocument record(BatchKey key, BatchContext ctx, ObjectNode doc, String error) {
        return new QuarantinedDocument(key.migration(), key.runId(), key.segment(), String.valueOf(ctx.id(doc)), error,
                doc.toString(), 0);
    }

    /** The ids of the documents, as text, for an outcome. */
    static List<String> ids(List<QuarantinedDocument> documents) {
        List<String> out = new ArrayList<>();
        documents.forEach(d -> out.add(d.key()));
        return out;
    }
}
