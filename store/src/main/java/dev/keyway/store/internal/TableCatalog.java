package dev.keyway.store.internal;

import dev.keyway.store.StoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a table's metadata ({@link TableInfo}) from the database's own catalog, by exact name: PostgreSQL's
 * {@code pg_catalog} (which also holds partitioned tables, whose parent JDBC's metadata calls may not show), H2's
 * {@code INFORMATION_SCHEMA}. A name without a schema resolves like the database resolves it: on PostgreSQL the first
 * schema of {@code current_schemas(false)} that holds a relation of that name, on H2 the current schema. A table that
 * cannot be walked is refused here, before a run plans anything, with the reason: missing (naming the schemas
 * searched), a view or materialized view, or no primary key.
 */
final class TableCatalog {

    private TableCatalog() {
    }

    static TableInfo read(Connection c, boolean postgres, TableName name, String url) throws SQLException {
        return postgres ? readPostgres(c, name, url) : readH2(c, name, url);
    }

    private static TableInfo readPostgres(Connection c, TableName name, String url) throws SQLException {
        String find = "SELECT c.oid, n.nspname, c.relkind FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ? AND "
                + (name.schema() == null
                        ? "n.nspname = ANY (current_schemas(false)) ORDER BY array_position(current_schemas(false), n.nspname)"
                        : "n.nspname = ?")
                + " LIMIT 1";
        long oid;
        String schema;
        String kind;
        try (PreparedStatement ps = c.prepareStatement(find)) {
            ps.setString(1, name.table());
            if (name.schema() != null) {
                ps.setString(2, name.schema());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw notFound(name, url, name.schema() != null ? List.of(name.schema()) : searchPath(c));
                }
                oid = rs.getLong(1);
                schema = rs.getString(2);
                kind = rs.getString(3);
            }
        }
        switch (kind) {
            case "r", "p", "f" -> { } // a table, a partitioned table (walked through its parent), a foreign table
            case "v", "m" -> throw isView(name, kind.equals("m") ? "a materialized view" : "a view");
            default -> throw new StoreException("table " + name.describe() + " is not a table but " + kindName(kind)
                    + ": fix the migration's table name", null);
        }
        List<String> columns = new ArrayList<>();
        Set<String> generated = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, attgenerated, attidentity FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    // 's': GENERATED ALWAYS AS (..) STORED; 'a': GENERATED ALWAYS AS IDENTITY (BY DEFAULT, 'd', takes values)
                    if ("s".equals(rs.getString(2)) || "a".equals(rs.getString(3))) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_catalog.pg_constraint k"
                + " CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum"
                + " WHERE k.conrelid = ?::oid AND k.contype = 'p' ORDER BY u.ord")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return checked(name, schema, columns, key, generated);
    }

    /** What a {@code pg_class.relkind} other than a table or a view is, for messages. */
    private static String kindName(String relkind) {
        return switch (relkind) {
            case "i", "I" -> "an index";
            case "S" -> "a sequence";
            case "c" -> "a composite type";
            case "t" -> "a TOAST table";
            default -> "a relation of kind " + relkind;
        };
    }

    private static List<String> searchPath(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_schemas(false)"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            Array a = rs.getArray(1);
            List<String> schemas = new ArrayList<>();
            for (Object s : (Object[]) a.getArray()) {
                schemas.add(String.valueOf(s));
            }
            return schemas;
        }
    }

    private static TableInfo readH2(Connection c, TableName name, String url) throws SQLException {
        String schema = name.schema();
        if (schema == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT CURRENT_SCHEMA"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                schema = rs.getString(1);
            }
        }
        String type;
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw notFound(name, url, List.of(schema));
                }
                type = rs.getString(1);
            }
        }
        if ("VIEW".equals(type)) {
            throw isView(name, "a view");
        }
        List<String> columns = new ArrayList<>();
        Set<String> generated = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, IS_GENERATED, IS_IDENTITY, IDENTITY_GENERATION"
                + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    if ("ALWAYS".equals(rs.getString(2))
                            || ("YES".equals(rs.getString(3)) && "ALWAYS".equals(rs.getString(4)))) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT u.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS t"
                + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE u ON u.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA"
                + " AND u.CONSTRAINT_NAME = t.CONSTRAINT_NAME WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?"
                + " AND t.CONSTRAINT_TYPE = 'PRIMARY KEY' ORDER BY u.ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return checked(name, schema, columns, key, generated);
    }

    private static TableInfo checked(TableName name, String schema, List<String> columns, List<String> key,
                                     Set<String> generated) {
        if (key.isEmpty()) {
            throw new StoreException("table " + name.describe() + " has no primary key: Keyway walks tables in key order;"
                    + " add one (ALTER TABLE .. ADD PRIMARY KEY (..)), then run the migration again", null);
        }
        return new TableInfo(name, schema, name.table(), key, columns, generated);
    }

    private static StoreException notFound(TableName name, String url, List<String> schemas) {
        return new StoreException("table " + name.describe() + " not found in " + url + " (schemas searched: "
                + String.join(", ", schemas) + "): create it (bin/migrate seed creates the example tables) or fix the"
                + " migration's table name (names are case-sensitive; write schema.table for a table outside the"
                + " search path)", null);
    }

    private static StoreException isView(TableName name, String what) {
        return new StoreException("table " + name.describe() + " is " + what + ": Keyway walks tables by their primary"
                + " key; migrate the table(s) it reads", null);
    }
}
