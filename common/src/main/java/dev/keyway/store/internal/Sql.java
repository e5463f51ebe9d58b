package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.StatementTimeoutException;
import dev.keyway.store.StoreException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The SQL dialect and the mapping between rows and JSON documents, for PostgreSQL and H2.
 * Identifiers are always quoted, so names are case-sensitive on both databases.
 */
final class Sql {

    /** Numbers keep every digit: a {@code NUMERIC} key in a cursor must come back exactly as it was read. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final boolean postgres;

    Sql(boolean postgres) {
        this.postgres = postgres;
    }

    boolean postgres() {
        return postgres;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Binds a JSON value as a statement parameter; JSON null (or absent) binds SQL NULL. */
    void bind(PreparedStatement ps, int index, JsonNode v) throws SQLException {
        if (v == null || v.isNull() || v.isMissingNode()) {
            ps.setNull(index, Types.NULL);
        } else if (v.isIntegralNumber() && v.canConvertToLong()) {
            ps.setLong(index, v.longValue());
        } else if (v.isNumber()) {
            ps.setBigDecimal(index, v.decimalValue());
        } else if (v.isBoolean()) {
            ps.setBoolean(index, v.booleanValue());
        } else {
            String text = v.isTextual() ? v.textValue() : v.toString();
            if (postgres) {
                // untyped: PostgreSQL infers the column's type (text, uuid, timestamp, jsonb, ..)
                ps.setObject(index, text, Types.OTHER);
            } else {
                ps.setString(index, text);
            }
        }
    }

    /** The current row as a document: column name to value; SQL NULL columns are left out. */
    static ObjectNode readRow(ResultSet rs, ResultSetMetaData md) throws SQLException {
        return new RowReader(md).read(rs);
    }

    /**
     * Reads the rows of one result set as documents (see {@link #readRow}), with the columns' names and
     * kinds looked up once rather than for every row.
     */
    static final class RowReader {

        private enum Kind { INTEGER, DECIMAL, FLOAT, BOOLEAN, JSON, TEXT }

        private final String[] names;
        private final Kind[] kinds;

        RowReader(ResultSetMetaData md) throws SQLException {
            int n = md.getColumnCount();
            names = new String[n];
            kinds = new Kind[n];
            for (int i = 0; i < n; i++) {
                names[i] = md.getColumnLabel(i + 1);
                kinds[i] = switch (md.getColumnType(i + 1)) {
                    case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> Kind.INTEGER;
                    case Types.NUMERIC, Types.DECIMAL -> Kind.DECIMAL;
                    case Types.REAL, Types.FLOAT, Types.DOUBLE -> Kind.FLOAT;
                    case Types.BOOLEAN, Types.BIT -> Kind.BOOLEAN;
                    default -> md.getColumnTypeName(i + 1).toLowerCase(Locale.ROOT).startsWith("json")
                            ? Kind.JSON : Kind.TEXT;
                };
            }
        }

        ObjectNode read(ResultSet rs) throws SQLException {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < names.length; i++) {
                int col = i + 1;
                switch (kinds[i]) {
                    case INTEGER -> {
                        long l = rs.getLong(col);
                        if (!rs.wasNull()) {
                            doc.put(names[i], l);
                        }
                    }
                    case DECIMAL -> {
                        BigDecimal d = rs.getBigDecimal(col);
                        if (d != null) {
                            doc.put(names[i], d);
                        }
                    }
                    case FLOAT -> {
                        double d = rs.getDouble(col);
                        if (!rs.wasNull()) {
                            doc.put(names[i], d);
                        }
                    }
                    case BOOLEAN -> {
                        boolean b = rs.getBoolean(col);
                        if (!rs.wasNull()) {
                            doc.put(names[i], b);
                        }
                    }
                    case JSON, TEXT -> {
                        String s = rs.getString(col);
                        if (s != null) {
                            doc.set(names[i], kinds[i] == Kind.JSON ? parseJson(s, names[i]) : doc.textNode(s));
                        }
                    }
                }
            }
            return doc;
        }
    }

    static JsonNode parseJson(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new StoreException("column " + what + " holds invalid JSON: " + text, e);
        }
    }

    /** Binds a {@code customRange} bound (one of {@code CustomRange.BOUND_TYPES}) with its own SQL type. */
    void bindBound(PreparedStatement ps, int index, Object bound) throws SQLException {
        if (bound instanceof String text) {
            bind(ps, index, JsonNodeFactory.instance.textNode(text));
        } else if (bound instanceof BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else if (bound instanceof BigInteger i) {
            ps.setBigDecimal(index, new BigDecimal(i));
        } else if (bound instanceof Double || bound instanceof Float) {
            ps.setDouble(index, ((Number) bound).doubleValue());
        } else if (bound instanceof Number n) {
            ps.setLong(index, n.longValue());
        } else if (bound instanceof Instant instant) {
            ps.setObject(index, instant.atOffset(ZoneOffset.UTC));
        } else {
            // Boolean, UUID, LocalDate, LocalDateTime, OffsetDateTime: JDBC 4.2 types both drivers bind natively
            ps.setObject(index, bound);
        }
    }

    /**
     * Wraps a JDBC error by what can be done about it: a lock the application held past the lock timeout
     * ({@link LockTimeoutException}), a failure that passes by itself ({@link RetriableStoreException}:
     * connection, deadlock, serialization, shutdown), or one that needs a fix ({@link StoreException}).
     */
    static StoreException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = what + ": " + e.getMessage() + " (SQLState " + state + ")";
        // PostgreSQL lock_not_available; H2 "timeout trying to lock table"
        if (state.equals("55P03") || state.equals("HYT00")) {
            return new LockTimeoutException(message + "; another transaction (usually the application's) held a lock"
                    + " the batch needs for longer than the lock timeout: the batch rolled back and runs again", e);
        }
        if (state.equals("57014")) {
            return new StatementTimeoutException(message + "; a statement ran longer than the statement timeout"
                    + " (DB_STATEMENT_TIMEOUT_MS): lower the batch size or raise the timeout, then run the migration again", e);
        }
        if (state.equals("25P03")) {
            return new RetriableStoreException(message + "; the database ended the session after it sat in the batch's"
                    + " transaction longer than the idle-in-transaction timeout (a paused or stalled worker): the batch"
                    + " rolled back and runs again", e);
        }
        boolean retriable = e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || state.startsWith("08") || state.startsWith("40") || state.startsWith("57P")
                // H2: the database closed under an AUTO_SERVER client (its host process let go), connection broken
                || state.equals("90098") || state.equals("90067");
        return retriable ? new RetriableStoreException(message, e) : new StoreException(message, e);
    }

    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }
}
