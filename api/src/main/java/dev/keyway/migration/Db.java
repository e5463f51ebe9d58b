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
