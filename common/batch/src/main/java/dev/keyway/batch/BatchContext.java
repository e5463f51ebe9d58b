package dev.keyway.batch;

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
}
