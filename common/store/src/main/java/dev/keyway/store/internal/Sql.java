package dev.keyway.store.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.StatementTimeoutException;
import dev.keyway.store.StoreException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The store's SQL on one database: the mapping between rows and JSON documents, the binding of keys, cursors and
 * bounds, and what an error means, each asking the store's {@link Dialect} where the databases differ. Identifiers are
 * always quoted (ANSI double quotes, on every database), so names are case-sensitive.
 */
final class Sql {

    /** Numbers keep every digit: a {@code NUMERIC} key in a cursor must come back exactly as it was read. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // a jsonb number 4.90 must be written back as 4.90, not 4.9
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final Dialect dialect;

    Sql(Dialect dialect) {
        this.dialect = dialect;
    }

    Dialect dialect() {
        return dialect;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * Binds a JSON value whose column is not known (a key, a cursor, a query's value); JSON null (or absent) binds
     * SQL NULL. A value for a known column goes through {@link ColumnValues#bind}.
     */
    void bind(PreparedStatement ps, int index, JsonNode v) throws SQLException {
        if (v == null || v.isNull() || v.isMissingNode()) {
            ps.setNull(index, Types.NULL);
        } else {
            bindScalar(ps, index, v, dialect);
        }
    }

    /** Numbers and booleans with their own SQL types; anything else as text the database converts. */
    static void bindScalar(PreparedStatement ps, int index, JsonNode v, Dialect dialect) throws SQLException {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            ps.setLong(index, v.longValue());
        } else if (v.isNumber() && (v.isBigDecimal() || v.isBigInteger() || Double.isFinite(v.doubleValue()))) {
            ps.setBigDecimal(index, v.decimalValue());
        } else if (v.isBoolean()) {
            ps.setBoolean(index, v.booleanValue());
        } else {
            // NaN and the infinities of a double go as the text both databases read ("NaN", "Infinity")
            dialect.bindText(ps, index, v.isTextual() ? v.textValue() : v.toString());
        }
    }

    /** The current row as a document: column name to value; SQL NULL columns are left out. */
    ObjectNode readRow(ResultSet rs) throws SQLException {
        return rowReader(rs.getMetaData()).read(rs);
    }

    /** Reads the rows of a result with these columns (see {@link RowReader}). */
    RowReader rowReader(ResultSetMetaData md) throws SQLException {
        return new RowReader(md, dialect);
    }

    /**
     * Reads the rows of one result set as documents (see {@link #readRow}), with the columns' names and
     * kinds looked up once rather than for every row. Each column's JSON form is {@link ColumnValues#read}'s.
     */
    static final class RowReader {

        private final Column[] columns;
        private final Dialect dialect;

        private RowReader(ResultSetMetaData md, Dialect dialect) throws SQLException {
            this.dialect = dialect;
            columns = new Column[md.getColumnCount()];
            for (int i = 0; i < columns.length; i++) {
                columns[i] = dialect.column(md, i + 1);
            }
        }

        ObjectNode read(ResultSet rs) throws SQLException {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < columns.length; i++) {
                JsonNode v = ColumnValues.read(rs, i + 1, columns[i], dialect);
                if (v != null) {
                    doc.set(columns[i].name(), v);
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

    /** A JSON value as JSON text (numbers with every digit, never in exponent form). */
    static String jsonText(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree as text", e);
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
     * Wraps a JDBC error by what can be done about it ({@link Dialect#classify}): a lock the application held past the
     * lock timeout ({@link LockTimeoutException}), a statement past the statement timeout
     * ({@link StatementTimeoutException}), a failure that passes by itself ({@link RetriableStoreException}:
     * connection, deadlock, serialization, shutdown, a session ended while idle in its transaction), or one that
     * needs a fix ({@link StoreException}).
     */
    StoreException failure(String what, SQLException e) {
        String message = what + ": " + e.getMessage() + " (SQLState " + Dialect.state(e) + ")";
        return switch (dialect.classify(e)) {
            case LOCK_TIMEOUT -> new LockTimeoutException(message + "; another transaction (usually the application's)"
                    + " held a lock the batch needs for longer than the lock timeout: the batch rolled back and runs again", e);
            case STATEMENT_TIMEOUT -> new StatementTimeoutException(message + "; a statement ran longer than the statement"
                    + " timeout (DB_STATEMENT_TIMEOUT_MS): lower the batch size or raise the timeout, then run the migration"
                    + " again", e);
            case IDLE_SESSION_ENDED -> new RetriableStoreException(message + "; the database ended the session after it"
                    + " sat in the batch's transaction longer than the idle-in-transaction timeout (a paused or stalled"
                    + " worker): the batch rolled back and runs again", e);
            case RETRIABLE -> new RetriableStoreException(message, e);
            default -> new StoreException(message, e);
        };
    }

    /** A row with the same primary key exists. */
    boolean isDuplicateKey(SQLException e) {
        return dialect.classify(e) == Dialect.Failure.DUPLICATE_KEY;
    }

    /** Makes the current transaction wait at most {@code millis} for a lock, where the database can say so. */
    void limitLockWait(Connection c, long millis) throws SQLException {
        Optional<String> setting = dialect.transactionLockTimeout(millis);
        if (setting.isPresent()) {
            try (Statement st = c.createStatement()) {
                st.execute(setting.get());
            }
        }
    }
}
