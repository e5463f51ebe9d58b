package dev.keyway.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

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

    /**
     * The table's primary key column; for a composite key, its columns in key order, comma-separated in
     * parentheses ({@code "(actor_id, film_id)"}), for messages: use {@link #primaryKeyColumns()} and
     * {@link #id(ObjectNode)} to work with the key.
     */
    String primaryKey();

    /** The table's primary key columns, in key order. */
    default List<String> primaryKeyColumns() {
        return List.of(primaryKey());
    }

    /**
     * The id of a document of the migration's table, as {@link Db} takes it: the value of a one-column key, or for a
     * composite key the JSON array of the key's values in key order ({@code [3,17]}); null when the document lacks a
     * key column.
     */
    default JsonNode id(ObjectNode doc) {
        return Db.idOf(primaryKeyColumns(), doc);
    }

    /** A new, empty JSON object, for building patches and inserted documents. */
    ObjectNode newObject();
}
