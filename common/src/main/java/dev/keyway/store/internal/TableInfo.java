package dev.keyway.store.internal;

import java.util.List;

/** A table's primary key and columns, read once from the database metadata. */
record TableInfo(String name, String primaryKey, List<String> columns) {
}
