package dev.keyway.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Database access for {@link MigrateOne}, in the batch's transaction (the Convex {@code ctx.db}).
 *
 * <p>Documents are JSON objects whose fields are column names. The rule for "undefined":
 * a column holding SQL NULL is absent from a read document, and a field set to JSON
 * {@code null} in a patch clears the column (sets it to SQL NULL). Ids are primary key values,
 * as found in the documents. Table and column names are used as given (quoted, case-sensitive).
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

    /** Inserts a document; returns the primary key of the new row. */
    JsonNode insert(String table, ObjectNode doc);

    /** Sets the given columns of one row; a JSON null clears a column. */
    void patch(String table, JsonNode id, ObjectNode fields);

    /** Replaces every non-key column of one row: columns absent from {@code doc} are cleared. */
    void replace(String table, JsonNode id, ObjectNode doc);

    /** Deletes one row. */
    void delete(String table, JsonNode id);
}
