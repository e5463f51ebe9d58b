package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.MigrationContext;
import java.util.List;

/**
 * The {@link MigrationContext} of one batch; {@code primaryKeyColumns} in key order.
 *
 * @param writes when set (a verify), each document's {@code migrateOne} gets a context of its own whose {@code db()}
 *     records its writes there instead of making them ({@link #forDocument})
 */
record BatchContext(Db db, String table, List<String> primaryKeyColumns, RecordedWrites writes)
        implements MigrationContext {

    BatchContext {
        primaryKeyColumns = List.copyOf(primaryKeyColumns);
    }

    BatchContext(Db db, String table, List<String> primaryKeyColumns) {
        this(db, table, primaryKeyColumns, null);
    }

    /** The context {@code migrateOne} of the document with this id gets: this one, unless writes are recorded. */
    BatchContext forDocument(JsonNode id) {
        return writes == null ? this : new BatchContext(writes.dbOf(Db.idText(id), db), table, primaryKeyColumns, null);
    }

    @Override
    public String primaryKey() {
        return primaryKeyColumns.size() == 1 ? primaryKeyColumns.get(0)
                : "(" + String.join(", ", primaryKeyColumns) + ")";
    }

    @Override
    public ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
