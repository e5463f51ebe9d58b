package dev.keyway.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.MigrationContext;
import java.util.List;

/** The {@link MigrationContext} of one batch; {@code primaryKeyColumns} in key order. */
record BatchContext(Db db, String table, List<String> primaryKeyColumns) implements MigrationContext {

    BatchContext {
        primaryKeyColumns = List.copyOf(primaryKeyColumns);
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

    /**
     * An id as text, for messages and to match {@link dev.keyway.store.BatchTransaction#readByIds}: a value's text,
     * a composite id's JSON array.
     */
    static String idText(JsonNode id) {
        return id == null ? null : id.isValueNode() ? id.asText() : id.toString();
    }
}
