package dev.keyway.worker.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.MigrationContext;

/** The {@link MigrationContext} of one batch. */
record BatchContext(Db db, String table, String primaryKey) implements MigrationContext {

    @Override
    public ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
