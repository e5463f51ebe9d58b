package dev.keyway.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Database access for {@link MigrateOne}, in the batch's transaction (the Convex {@code ctx.db}).
 *
 * <p>Documents are JSON objects whose fields are column names. The rule for "undefined":
 * a column holding SQL NULL is absent from a read document, and a field set to JSON
 * {@code null} in a patch clears the column (sets it to SQL NULL).
 *
 * <p><b>Tables</b> are named as in {@link Migration#table()}: {@code table}, {@code schema.table}, or with quoted
 * parts ({@code "Sales"."OrderItems"}); a name without a schema is looked up the way the database would
 * (PostgreSQL: the {@code search_path}). Table and column names are used as given (quoted, case-sensitive).
 *
 * <p><b>Ids</b> address one row by its primary key. For a one-column key the id is the key's value, as found in
 * the documents ({@code 42}, {@code "b7"}). For a composite key it is the JSON array of the key's values in key
 * order ({@code [3,17]} for the key {@code (actor_id, film_id)}), or an object holding each key column
 * ({@code {"actor_id":3,"film_id":17}}); {@link MigrationContext#id} makes it from a document of the migration's
 * table, and {@link #insert} returns it in the array form. An id of another shape fails the call, saying the form.
 *
 * <p><b>Generated columns</b> ({@code GENERATED ALWAYS AS (..) STORED}, {@code GENERATED ALWAYS AS IDENTITY}) are
 * read like any column but never written: {@link #insert} and {@link #replace} leave them out, and a
 * {@link #patch} that sets one fails naming it. A patch (here or returned from {@code migrateOne}) may repeat a
 * key column's value but must not change it.
 *
 * <p>Each column type has one JSON form, the same in a read document and in a patch, so that writing a
 * document's own value back leaves the column unchanged: numbers (numeric with every digit and its scale),
 * booleans, json/jsonb as the JSON value itself, arrays as JSON arrays, timestamptz as ISO-8601 in UTC
 * ({@code "2026-01-02T03:04:05.123456Z"}), bytea as hex text ({@code \x0001ff}), and enums, uuid, dates,
 * intervals and other types as PostgreSQL's text; docs/TYPES.md lists them. A value its column cannot take
 * fails the batch with an error naming the document, the column and the value.
 */
public interface Db {

    /** The document of {@code table} with that primary key, if any. */
    Optional<ObjectNode> get(String table, JsonNode id);

    /** A query over {@code table}; add equality conditions on indexed columns with {@link Query#eq}. */
    Query query(String table);

    /**
     * Inserts a document (JSON nulls and generated columns left out); returns the id of the new row, as the
     * document gave it or as the database made it.
     */
    JsonNode insert(String table, ObjectNode doc);

    /** Sets the given columns of one row; a JSON null clears a column. */
    void patch(String table, JsonNode id, ObjectNode fields);

    /** Replaces every non-key column of one row: columns absent from {@code doc} are cleared. */
    void replace(String table, JsonNode id, ObjectNode doc);

    /** Deletes one row. */
    void delete(String table, JsonNode id);

    /**
     * The id of a document of a table whose primary key is {@code keyColumns} (in key order): the value of a
     * one-column key, or the JSON array of a composite key's values ({@code [3,17]}); null when the document lacks a
     * key column. The one rule for ids, used by {@link MigrationContext#id} and by the store.
     */
    static JsonNode idOf(List<String> keyColumns, ObjectNode doc) {
        if (keyColumns.size() == 1) {
            return doc.get(keyColumns.get(0));
        }
        ArrayNode id = JsonNodeFactory.instance.arrayNode();
        for (String column : keyColumns) {
            JsonNode v = doc.get(column);
            if (v == null) {
                return null;
            }
            id.add(v);
        }
        return id;
    }

    /** An id as text, for messages and a failed batch's {@code documentId}: a value's text, an array's JSON; null for null. */
    static String idText(JsonNode id) {
        return id == null ? null : id.isValueNode() ? id.asText() : id.toString();
    }
}
