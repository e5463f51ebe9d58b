package dev.keyway.store.internal;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Locale;

/**
 * One column of a result or a table: its name, its SQL type name, and how its values map to JSON
 * ({@link Kind}; for an array column also the kind of its elements). Both drivers report a domain as its
 * base type, so a domain over {@code integer} is an {@code INTEGER} column and a domain over {@code text[]}
 * an array of text. docs/TYPES.md lists the JSON form of each kind.
 *
 * @param element the kind of an array's elements; null for a column that is not an array
 */
record Column(String name, String typeName, Kind kind, Kind element) {

    /** How a column's values appear in a document. */
    enum Kind {
        /** A JSON integer: {@code smallint}, {@code integer}, {@code bigint}. */
        INTEGER,
        /** A JSON number with every digit and its scale; NaN and infinities as the strings PostgreSQL prints. */
        DECIMAL,
        /** A JSON number; NaN and infinities as strings. */
        FLOAT,
        BOOLEAN,
        /** The JSON value itself ({@code json}, {@code jsonb}). */
        JSON,
        /** Hex text {@code \x0001ff}, as PostgreSQL prints {@code bytea}. */
        BINARY,
        /** ISO-8601 in UTC, {@code 2026-01-02T03:04:05.123456Z}; infinities as text. */
        TIMESTAMPTZ,
        /** ISO-8601 without offset, {@code 2026-01-02T03:04:05.123456}. */
        TIMESTAMP,
        /** A JSON array of the element kind, nested for several dimensions. */
        ARRAY,
        /** The database's own text form: text, enums, uuid, date, time, interval, tsvector, money, inet, ... */
        TEXT
    }

    /** The column {@code index} (1-based) of a result. */
    static Column of(ResultSetMetaData md, int index) throws SQLException {
        return of(md.getColumnLabel(index), md.getColumnType(index), md.getColumnTypeName(index));
    }

    static Column of(String name, int jdbcType, String typeName) {
        String type = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
        if (jdbcType == Types.ARRAY) {
            return new Column(name, typeName, Kind.ARRAY, byName(elementTypeName(type)));
        }
        return new Column(name, typeName, byJdbcType(jdbcType, type), null);
    }

    /**
     * PostgreSQL names an array type after its element with a leading underscore (qualified and quoted when its
     * schema is not on the search path: {@code "films"."_rating"}); H2 appends " ARRAY".
     */
    private static String elementTypeName(String arrayType) {
        if (arrayType.endsWith(" array")) {
            return arrayType.substring(0, arrayType.length() - " array".length());
        }
        String name = arrayType.substring(arrayType.lastIndexOf('.') + 1).replace("\"", "");
        return name.startsWith("_") ? name.substring(1) : name;
    }

    private static Kind byJdbcType(int jdbcType, String type) {
        if (type.equals("money")) {
            return Kind.TEXT; // the driver calls it DOUBLE, but its text carries the currency and the locale's format
        }
        if (type.equals("uuid")) {
            return Kind.TEXT; // H2 calls it BINARY
        }
        switch (jdbcType) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT:
                return Kind.INTEGER;
            case Types.NUMERIC, Types.DECIMAL:
                return Kind.DECIMAL;
            case Types.REAL, Types.FLOAT, Types.DOUBLE:
                return Kind.FLOAT;
            case Types.BOOLEAN:
                return Kind.BOOLEAN;
            case Types.BIT:
                // PostgreSQL's driver reports both bool and bit(n) as BIT; only bool is true/false
                return type.equals("bool") || type.equals("boolean") ? Kind.BOOLEAN : Kind.TEXT;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB:
                return Kind.BINARY;
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return Kind.TIMESTAMPTZ;
            case Types.TIMESTAMP:
                return type.equals("timestamptz") ? Kind.TIMESTAMPTZ : Kind.TIMESTAMP;
            default:
                return type.startsWith("json") ? Kind.JSON : Kind.TEXT;
        }
    }

    /** The kind of an array element, from its type name on either database. */
    static Kind byName(String type) {
        switch (type) {
            case "int2", "int4", "int8", "smallint", "integer", "bigint", "tinyint":
                return Kind.INTEGER;
            case "numeric", "decimal":
                return Kind.DECIMAL;
            case "float4", "float8", "real", "double precision", "float":
                return Kind.FLOAT;
            case "bool", "boolean":
                return Kind.BOOLEAN;
            case "json", "jsonb":
                return Kind.JSON;
            case "bytea", "binary varying", "varbinary", "binary":
                return Kind.BINARY;
            case "timestamptz", "timestamp with time zone":
                return Kind.TIMESTAMPTZ;
            case "timestamp", "timestamp without time zone":
                return Kind.TIMESTAMP;
            default:
                return Kind.TEXT;
        }
    }

    /** An integer column whose values may not fit a {@code long}: MariaDB's {@code BIGINT UNSIGNED}. */
    boolean exceedsLong() {
        return kind == Kind.INTEGER && typeName != null && typeName.equalsIgnoreCase("bigint unsigned");
    }

    /** PostgreSQL separates the elements of a {@code box[]} with semicolons, of every other array with commas. */
    char delimiter() {
        return typeName != null && typeName.toLowerCase(Locale.ROOT).endsWith("_box") ? ';' : ',';
    }

    /** How errors name the column: {@code "rating" (mpaa_rating)}. */
    String describe() {
        return Sql.quote(name) + " (" + typeName + ")";
    }
}
