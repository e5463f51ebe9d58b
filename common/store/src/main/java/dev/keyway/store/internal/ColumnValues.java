package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keyway.message.Excerpt;
import dev.keyway.store.StoreException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAccessor;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a column's value becomes a JSON value in a document, and how a JSON value in a patch is written back to a
 * column, per {@link Column.Kind}. The forms are chosen so that writing a document's own value back leaves the
 * column unchanged; docs/TYPES.md states them for users.
 */
final class ColumnValues {

    /** How much of a value an error shows. */
    static final int MAX_VALUE_CHARS = 200;

    private static final HexFormat HEX = HexFormat.of();
    /** PostgreSQL's (DateStyle ISO) and H2's text of a timestamp with time zone; the offset may have seconds. */
    private static final Pattern TIMESTAMPTZ = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[ T](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?([+-])(\\d{2})(?::?(\\d{2}))?(?::?(\\d{2}))?");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?");

    private ColumnValues() {
    }

    /** The value of column {@code index} of the current row, or null for SQL NULL. */
    static JsonNode read(ResultSet rs, int index, Column column, Dialect dialect) throws SQLException {
        switch (column.kind()) {
            case INTEGER: {
                if (column.exceedsLong()) {
                    String s = rs.getString(index);
                    return s == null ? null : fromText(s, Column.Kind.INTEGER, column.name());
                }
                long l = rs.getLong(index);
                return rs.wasNull() ? null : LongNode.valueOf(l);
            }
            case BOOLEAN: {
                boolean b = rs.getBoolean(index);
                return rs.wasNull() ? null : BooleanNode.valueOf(b);
            }
            case BINARY: {
                byte[] bytes = rs.getBytes(index);
                return bytes == null ? null : TextNode.valueOf(hex(bytes));
            }
            case ARRAY:
                return dialect.readArray(rs, index, column);
            default: {
                String s = rs.getString(index);
                return s == null ? null : fromText(s, column.kind(), column.name());
            }
        }
    }

    /** A value of {@code kind} from the database's text for it (a column's, or an array element's). */
    static JsonNode fromText(String s, Column.Kind kind, String column) {
        switch (kind) {
            case INTEGER:
                return new BigInteger(s).bitLength() < 64 ? LongNode.valueOf(Long.parseLong(s))
                        : BigIntegerNode.valueOf(new BigInteger(s));
            case DECIMAL:
                // DecimalNode.valueOf keeps the scale (4.90 stays 4.90); NaN and the infinities stay text
                return isNumber(s) ? DecimalNode.valueOf(new BigDecimal(s)) : TextNode.valueOf(s);
            case FLOAT:
                return isNumber(s) ? DoubleNode.valueOf(Double.parseDouble(s)) : TextNode.valueOf(s);
            case BOOLEAN:
                return BooleanNode.valueOf(s.equals("t") || s.equalsIgnoreCase("true"));
            case JSON:
                return Sql.parseJson(s, column);
            case TIMESTAMPTZ:
                return TextNode.valueOf(isoInstant(s));
            case TIMESTAMP:
                return TextNode.valueOf(isoLocal(s));
            default:
                return TextNode.valueOf(s);
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && (Character.isDigit(s.charAt(s.length() - 1)) || s.endsWith("."));
    }

    /** The elements of a {@code java.sql.Array} (H2's), as Java objects of the element type, as a JSON array. */
    static ArrayNode fromJava(Object[] elements) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Object e : elements) {
            if (e == null) {
                out.addNull();
            } else if (e instanceof Object[] nested) {
                out.add(fromJava(nested));
            } else if (e instanceof BigDecimal d) {
                out.add(DecimalNode.valueOf(d));
            } else if (e instanceof Double || e instanceof Float) {
                out.add(((Number) e).doubleValue());
            } else if (e instanceof Number n) {
                out.add(n.longValue());
            } else if (e instanceof Boolean b) {
                out.add(b);
            } else if (e instanceof byte[] bytes) {
                out.add(hex(bytes));
            } else if (e instanceof OffsetDateTime t) {
                out.add(t.toInstant().toString());
            } else if (e instanceof TemporalAccessor t) {
                out.add(t.toString());
            } else {
                out.add(e.toString());
            }
        }
        return out;
    }

    /**
     * Binds a patch's value for {@code column}; JSON null binds SQL NULL.
     *
     * @throws IllegalArgumentException when the value cannot be one of the column's (an array for a scalar column,
     *                                  bytea that is not {@code \x} hex); the message names the column and the value
     */
    static void bind(PreparedStatement ps, int index, Column column, JsonNode v, Dialect dialect) throws SQLException {
        if (v == null || v.isNull() || v.isMissingNode()) {
            ps.setNull(index, java.sql.Types.NULL);
            return;
        }
        switch (column.kind()) {
            case JSON:
                // the JSON value itself: a string value is a JSON string, not JSON text to be parsed
                dialect.bindJson(ps, index, Sql.jsonText(v));
                return;
            case ARRAY:
                if (!v.isArray()) {
                    throw new IllegalArgumentException("column " + column.describe() + " is an array: a patch must give a"
                            + " JSON array (nested for several dimensions), not " + shown(v));
                }
                dialect.bindArray(ps, index, column, v);
                return;
            case BINARY:
                ps.setBytes(index, bytes(column, v));
                return;
            default:
                if (v.isContainerNode()) {
                    throw new IllegalArgumentException("column " + column.describe() + " takes a single value, not "
                            + (v.isArray() ? "an array" : "an object") + ": " + shown(v));
                }
                Sql.bindScalar(ps, index, v, dialect);
        }
    }

    /** A JSON array as an Object[] for {@code setObject} (H2's arrays), whose elements H2 converts to the element type. */
    static Object[] toJava(JsonNode array, Column column) {
        Object[] out = new Object[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = array.get(i);
            if (e.isNull()) {
                out[i] = null;
            } else if (column.element() == Column.Kind.JSON) {
                out[i] = Sql.jsonText(e);
            } else if (e.isArray()) {
                out[i] = toJava(e, column);
            } else if (e.isIntegralNumber() && e.canConvertToLong()) {
                out[i] = e.longValue();
            } else if (e.isNumber()) {
                out[i] = e.decimalValue();
            } else if (e.isBoolean()) {
                out[i] = e.booleanValue();
            } else if (column.element() == Column.Kind.BINARY) {
                out[i] = bytes(column, e);
            } else {
                out[i] = e.asText();
            }
        }
        return out;
    }

    static String hex(byte[] bytes) {
        return "\\x" + HEX.formatHex(bytes);
    }

    private static byte[] bytes(Column column, JsonNode v) {
        String s = v.isTextual() ? v.textValue() : "";
        if (s.startsWith("\\x") && s.length() % 2 == 0) {
            try {
                return HEX.parseHex(s, 2, s.length());
            } catch (IllegalArgumentException e) {
                // not hex: said below
            }
        }
        throw new IllegalArgumentException("column " + column.describe() + " takes bytes as a string of \\x and"
                + " hex digits (\"\\\\x00ff\" in JSON), not " + shown(v));
    }

    /**
     * A timestamp with time zone as ISO-8601 in UTC ({@code 2026-01-02T03:04:05.123456Z}), from the database's
     * text in the session's time zone. {@code infinity}, {@code -infinity}, BC dates and years past 9999 keep the
     * database's text (which PostgreSQL reads back as it is), as does any text this does not recognise.
     */
    static String isoInstant(String text) {
        Matcher m = TIMESTAMPTZ.matcher(text);
        if (!m.matches()) {
            return text;
        }
        int sign = m.group(8).equals("-") ? -1 : 1;
        ZoneOffset offset = ZoneOffset.ofHoursMinutesSeconds(sign * Integer.parseInt(m.group(9)),
                sign * number(m.group(10)), sign * number(m.group(11)));
        String fraction = m.group(7) == null ? "" : m.group(7);
        int nanos = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "00000000").substring(0, 9));
        OffsetDateTime t = OffsetDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)), nanos, offset);
        int year = t.withOffsetSameInstant(ZoneOffset.UTC).getYear();
        // PostgreSQL reads neither year 0 nor a year with a sign, which Instant.toString prints outside these
        return year >= 1 && year <= 9999 ? t.toInstant().toString() : text;
    }

    /** A timestamp without time zone with a {@code T} between date and time, as ISO-8601 writes it. */
    static String isoLocal(String text) {
        return TIMESTAMP.matcher(text).matches() ? text.substring(0, 10) + 'T' + text.substring(11) : text;
    }

    private static int number(String digits) {
        return digits == null ? 0 : Integer.parseInt(digits);
    }

    static String shown(JsonNode v) {
        return Excerpt.of(v.toString(), MAX_VALUE_CHARS);
    }
}
