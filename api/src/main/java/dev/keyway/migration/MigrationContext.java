package dev.keyway.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What {@link MigrateOne} can use while it handles one document. One context serves one batch;
 * with {@code parallelize} it is shared by the concurrent calls of that batch (its database
 * calls are serialized on the batch's single connection).
 */
public interface MigrationContext {

    /** The database, in the batch's transaction. */
    Db db();

    /** The migration's table. */
    String table();

    /** The table's primary key column. */
    String primaryKey();

    /** The id (primary key value) of a document of the migration's table. */
    default JsonNode id(ObjectNode doc) {
        return doc.get(primaryKey());
    }

    /** A new, empty JSON object, for building patches and inserted documents. */
    ObjectNode newObject();
}
