package dev.keyway.store;

import dev.keyway.migration.CustomRange;
import java.util.Objects;

/** The rows a migration visits: a table and an optional range over its primary key or an index. */
public record TableWalk(String table, CustomRange range) {
    public TableWalk {
        Objects.requireNonNull(table, "table");
    }
}
