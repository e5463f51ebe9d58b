package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Db;
import dev.keyway.migration.Migration;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.QuarantinedDocument;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a verify does with one page it read without locks: it calls {@code migrateOne} on each document (its
 * {@code ctx.db()} writes recorded, never made) and finds the documents it would still change: a patch with a value
 * that differs from the row's, any write through {@code ctx.db()}, or a call that throws. It writes nothing to the
 * page's rows; the findings go to {@code keyway_verify} in the batch's transaction, with its ledger row.
 *
 * <p>Values compare as JSON, numbers by value ({@code 1}, {@code 1.0} and {@code "1"} of a NUMERIC column are the same):
 * a patch that writes a value the database would store unchanged is no change.
 */
final class VerifyingBatch {

    private final MigrateOneCalls calls;

    VerifyingBatch(MigrateOneCalls calls) {
        this.calls = calls;
    }

    /**
     * @param error set when the calls outlived the batch deadline ({@code timedOut}) or a call's database error left
     *     the transaction unusable: the batch fails as a run's would
     * @param findings the documents it would still change, for {@code keyway_verify}
     * @param sample some of them as before and would-be after (at most {@link MigrationStatus.Verification#MAX_SAMPLE})
     */
    record Outcome(String error, String documentId, boolean timedOut, List<QuarantinedDocument> findings,
                   List<Event.DocumentChange> sample) {
    }

    Outcome check(Migration m, BatchKey key, BatchTransaction tx, List<ObjectNode> page) {
        RecordedWrites writes = new RecordedWrites();
        BatchContext ctx = new BatchContext(tx.db(), m.table(), tx.primaryKey(), writes);
        MigrateOneCalls.Result result = calls.runEach(m, ctx, page);
        if (result.error() != null) {
            return new Outcome(result.error(), result.documentId(), result.timedOut(), List.of(), List.of());
        }
        Map<String, String> errors = new HashMap<>();
        for (MigrateOneCalls.Failure f : result.failures()) {
            if (f.database()) {
                // a read through ctx.db() the database refused: on PostgreSQL the transaction is unusable now
                return new Outcome(f.error(), Db.idText(f.id()), false, List.of(), List.of());
            }
            errors.put(Db.idText(f.id()), f.error());
        }
        Map<String, ObjectNode> patches = new HashMap<>();
        result.patches().forEach((id, patch) -> patches.put(Db.idText(id), patch));
        List<QuarantinedDocument> findings = new ArrayList<>();
        List<Event.DocumentChange> sample = new ArrayList<>();
        for (ObjectNode row : page) {
            String id = Db.idText(ctx.id(row));
            ObjectNode change = wouldChange(row, patches.get(id), writes.of(id), errors.get(id));
            if (change == null) {
                continue;
            }
            findings.add(new QuarantinedDocument(m.name(), key.runId(), key.segment(), String.valueOf(ctx.id(row)),
                    change.toString(), row.toString(), 0));
            if (sample.size() < MigrationStatus.Verification.MAX_SAMPLE) {
                sample.add(new Event.DocumentChange(id, DryRunChanges.bounded(row), DryRunChanges.bounded(after(row, change))));
            }
        }
        return new Outcome(null, null, false, findings, sample);
    }

    /**
     * What {@code migrateOne} would still change in this row, as JSON ({@code {"patch": {fields that differ},
     * "writes": [...], "error": "..."}}), or null when nothing.
     */
    static ObjectNode wouldChange(ObjectNode row, ObjectNode patch, ArrayNode writes, String error) {
        ObjectNode change = JsonNodeFactory.instance.objectNode();
        if (patch != null) {
            ObjectNode differs = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!same(row.get(f.getKey()), f.getValue())) {
                    differs.set(f.getKey(), f.getValue());
                }
            }
            if (!differs.isEmpty()) {
                change.set("patch", differs);
            }
        }
        if (writes != null && !writes.isEmpty()) {
            change.set("writes", writes);
        }
        if (error != null) {
            change.put("error", error);
        }
        return change.isEmpty() ? null : change;
    }

    /** The row as the change would leave it: its patch applied, its writes and error beside the fields. */
    private static ObjectNode after(ObjectNode row, ObjectNode change) {
        ObjectNode after = row.deepCopy();
        if (change.has("patch")) {
            after.setAll((ObjectNode) change.get("patch"));
        }
        if (change.has("writes")) {
            after.set("$writes", change.get("writes"));
        }
        if (change.has("error")) {
            after.set("$error", change.get("error"));
        }
        return after;
    }

    /** Whether a patch's value is the row's: as JSON, numbers (and numeric text) by value; absent is null. */
    static boolean same(JsonNode stored, JsonNode patched) {
        boolean storedNull = stored == null || stored.isNull();
        boolean patchedNull = patched == null || patched.isNull();
        if (storedNull || patchedNull) {
            return storedNull && patchedNull;
        }
        if ((stored.isNumber() || patched.isNumber()) && stored.isValueNode() && patched.isValueNode()) {
            try {
                return new BigDecimal(stored.asText()).compareTo(new BigDecimal(patched.asText())) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return stored.equals(patched);
    }
}
