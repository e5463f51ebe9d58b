package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.Query;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writes {@code migrateOne} makes through {@code ctx.db()} during a verify, recorded by document and never made:
 * each is something the migration would still change. Reads go to the database. Thread-safe (calls of a parallel
 * migration record at once).
 */
final class RecordedWrites {

    private final Map<String, ArrayNode> byDocument = new ConcurrentHashMap<>();

    /** A {@link Db} for the calls of one document: reads through {@code reads}, writes recorded under {@code id}. */
    Db dbOf(String id, Db reads) {
        return new Recording(id, reads);
    }

    /** The writes recorded for a document (JSON objects, in the order made), or null when it made none. */
    ArrayNode of(String id) {
        return byDocument.get(id);
    }

    private final class Recording implements Db {
        private final String id;
        private final Db reads;

        Recording(String id, Db reads) {
            this.id = id;
            this.reads = reads;
        }

        private void record(String op, String table, JsonNode docId, ObjectNode fields) {
            ObjectNode w = JsonNodeFactory.instance.objectNode().put("op", op).put("table", table);
            if (docId != null) {
                w.set("id", docId);
            }
            if (fields != null) {
                w.set("fields", fields.deepCopy());
            }
            byDocument.computeIfAbsent(String.valueOf(id), k -> JsonNodeFactory.instance.arrayNode()).add(w);
        }

        @Override
        public Optional<ObjectNode> get(String table, JsonNode docId) {
            return reads.get(table, docId);
        }

        @Override
        public Query query(String table) {
            return reads.query(table);
        }

        /** Not inserted: the id is the one the document names, if any. */
        @Override
        public JsonNode insert(String table, ObjectNode doc) {
            record("insert", table, null, doc);
            JsonNode given = doc.get("id");
            return given == null ? NullNode.getInstance() : given;
        }

        @Override
        public void patch(String table, JsonNode docId, ObjectNode fields) {
            record("patch", table, docId, fields);
        }

        @Override
        public void replace(String table, JsonNode docId, ObjectNode doc) {
            record("replace", table, docId, doc);
        }

        @Override
        public void delete(String table, JsonNode docId) {
            record("delete", table, docId, null);
        }
    }
}
