package dev.keyway.store.internal;

import dev.keyway.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What every database's catalog reading shares ({@link Dialect#readTable}): a table that cannot be walked is refused
 * there, before a run plans anything, with the reason: missing (naming the schemas searched), a view or materialized
 * view, or no primary key. Each dialect reads its own catalog by exact name (PostgreSQL's {@code pg_catalog}, H2's
 * {@code INFORMATION_SCHEMA}); a name without a schema resolves like the database resolves it.
 */
final class TableCatalog {

    private TableCatalog() {
    }

    /** The first column of every row the query returns, in order (a table's key columns). */
    static List<String> names(PreparedStatement ps) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** The table as read; refused without a primary key. */
    static TableInfo checked(TableName name, String schema, List<String> columns, List<String> key,
                             Set<String> generated) {
        if (key.isEmpty()) {
            throw new StoreException("table " + name.describe() + " has no primary key: Keyway walks tables in key order;"
                    + " add one (ALTER TABLE .. ADD PRIMARY KEY (..)), then run the migration again", null);
        }
        return new TableInfo(name, schema, name.table(), key, columns, generated);
    }

    static StoreException notFound(TableName name, String url, List<String> schemas) {
        return new StoreException("table " + name.describe() + " not found in " + url + " (schemas searched: "
                + String.join(", ", schemas) + "): create it (bin/migrate seed creates the example tables) or fix the"
                + " migration's table name (names are case-sensitive; write schema.table for a table outside the"
                + " search path)", null);
    }

    static StoreException isView(TableName name, String what) {
        return new StoreException("table " + name.describe() + " is " + what + ": Keyway walks tables by their primary"
                + " key; migrate the table(s) it reads", null);
    }
}
