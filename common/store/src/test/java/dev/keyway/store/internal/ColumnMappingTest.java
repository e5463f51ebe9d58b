package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.store.StoreException;
import java.sql.Types;
import org.junit.jupiter.api.Test;

/** The pure parts of the column mapping: array literals, timestamps, and which kind a column type is. */
class ColumnMappingTest {

    private static ArrayNode parse(String literal, Column.Kind element) {
        return ArrayLiteral.parse(literal, ',', text -> ColumnValues.fromText(text, element, "c"));
    }

    @Test
    void anArrayLiteralReadsAsAJsonArrayWithNullElementsQuotesAndDimensions() {
        assertEquals("[\"a\",null,\"NULL\",\"\",\" spaced \",\"a,b\",\"{x}\",\"q\\\"d\",\"b\\\\s\"]",
                parse("{a,NULL,\"NULL\",\"\",\" spaced \",\"a,b\",\"{x}\",\"q\\\"d\",\"b\\\\s\"}", Column.Kind.TEXT).toString());
        assertEquals("[]", parse("{}", Column.Kind.TEXT).toString());
        assertEquals("[[1,null],[null,4]]", parse("{{1,NULL},{NULL,4}}", Column.Kind.INTEGER).toString());
        assertEquals("[1.50,\"NaN\",-0.000001,1000000000000000000000000000000]",
                parse("{1.50,NaN,-0.000001,1000000000000000000000000000000}", Column.Kind.DECIMAL).toString());
        assertEquals("[{\"a\":1},\"s\"]", parse("{\"{\\\"a\\\": 1}\",\"\\\"s\\\"\"}", Column.Kind.JSON).toString());
        assertEquals("[\"2020-01-01T00:00:00Z\",\"infinity\"]",
                parse("{\"2020-01-01 02:00:00+02\",infinity}", Column.Kind.TIMESTAMPTZ).toString());
        assertEquals("[true,false]", parse("{t,f}", Column.Kind.BOOLEAN).toString());
    }

    @Test
    void anArrayWrittenAndReadAgainIsTheSameJsonArray() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode texts = json.arrayNode().add("a").addNull().add("NULL").add("").add("a,b").add("q\"d").add("b\\s")
                .add("{x}").add(" ");
        String literal = ArrayLiteral.format(texts, ',', false);
        assertEquals("{\"a\",NULL,\"NULL\",\"\",\"a,b\",\"q\\\"d\",\"b\\\\s\",\"{x}\",\" \"}", literal);
        assertEquals(texts, parse(literal, Column.Kind.TEXT));
        ArrayNode grid = json.arrayNode();
        grid.addArray().add(1).addNull();
        grid.addArray().add(3).add(4);
        assertEquals("{{\"1\",NULL},{\"3\",\"4\"}}", ArrayLiteral.format(grid, ',', false));
        ArrayNode docs = json.arrayNode();
        docs.addObject().put("a", 1);
        docs.add(json.arrayNode().add(2));
        assertEquals("{\"{\\\"a\\\":1}\",\"[2]\"}", ArrayLiteral.format(docs, ',', true), "json elements are JSON text");
        assertEquals("{\"4.90\",\"1000\"}", ArrayLiteral.format(json.arrayNode().add(new java.math.BigDecimal("4.90"))
                .add(new java.math.BigDecimal("1E+3")), ',', false), "every digit, no exponent");
    }

    @Test
    void anArrayThatCannotBeWrittenBackTheSameIsRefusedSayingWhy() {
        StoreException bounds = assertThrows(StoreException.class, () -> parse("[0:1]={1,2}", Column.Kind.INTEGER));
        assertTrue(bounds.getMessage().contains("start at 1"), bounds.getMessage());
        assertThrows(StoreException.class, () -> parse("{1,2", Column.Kind.INTEGER));
        IllegalArgumentException object = assertThrows(IllegalArgumentException.class, () -> ArrayLiteral.format(
                JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode()), ',', false));
        assertTrue(object.getMessage().contains("not json"), object.getMessage());
    }

    @Test
    void aTimestampWithTimeZoneIsIsoInUtcKeepingMicrosecondsAndTheDatabasesTextWhereIsoCannotSayIt() {
        assertEquals("2026-01-02T03:04:05.123456Z", ColumnValues.isoInstant("2026-01-02 03:04:05.123456+00"));
        assertEquals("2026-01-02T01:04:05.100Z", ColumnValues.isoInstant("2026-01-02 03:04:05.1+02"));
        assertEquals("1970-01-01T03:29:59.500Z", ColumnValues.isoInstant("1969-12-31 23:59:59.5-03:30"));
        assertEquals("1900-01-01T00:00:00Z", ColumnValues.isoInstant("1900-01-01 00:53:28+00:53:28"));
        assertEquals("infinity", ColumnValues.isoInstant("infinity"));
        assertEquals("0044-03-15 00:00:00+00 BC", ColumnValues.isoInstant("0044-03-15 00:00:00+00 BC"));
        assertEquals("0001-01-01 00:30:00+01", ColumnValues.isoInstant("0001-01-01 00:30:00+01"), "year 0 in UTC");
        assertEquals("2024-01-01T00:04:00", ColumnValues.isoLocal("2024-01-01 00:04:00"));
        assertEquals("294276-12-31 23:59:59", ColumnValues.isoLocal("294276-12-31 23:59:59"));
    }

    @Test
    void aColumnsKindComesFromItsTypeOnEitherDatabase() {
        assertEquals(Column.Kind.BOOLEAN, Column.of("b", Types.BIT, "bool").kind());
        assertEquals(Column.Kind.TEXT, Column.of("b", Types.BIT, "bit").kind(), "bit(n) is a bit string");
        assertEquals(Column.Kind.TEXT, Column.of("m", Types.DOUBLE, "money").kind());
        assertEquals(Column.Kind.TEXT, Column.of("u", Types.BINARY, "UUID").kind(), "H2 reports a uuid as BINARY");
        assertEquals(Column.Kind.TIMESTAMPTZ, Column.of("t", Types.TIMESTAMP, "timestamptz").kind());
        assertEquals(Column.Kind.TIMESTAMPTZ, Column.of("t", Types.TIMESTAMP_WITH_TIMEZONE, "TIMESTAMP WITH TIME ZONE").kind());
        assertEquals(Column.Kind.JSON, Column.of("j", Types.OTHER, "jsonb").kind());
        assertEquals(Column.Kind.BINARY, Column.of("p", Types.BINARY, "bytea").kind());
        assertEquals(Column.Kind.TEXT, Column.of("r", Types.VARCHAR, "mpaa_rating").kind());
        Column pgArray = Column.of("a", Types.ARRAY, "_numeric");
        assertEquals(Column.Kind.ARRAY, pgArray.kind());
        assertEquals(Column.Kind.DECIMAL, pgArray.element());
        assertEquals(Column.Kind.INTEGER, Column.of("a", Types.ARRAY, "INTEGER ARRAY").element());
        assertEquals(Column.Kind.TEXT, Column.of("a", Types.ARRAY, "_mpaa_rating").element());
        assertEquals(Column.Kind.INTEGER, Column.of("a", Types.ARRAY, "\"films\".\"_int4\"").element(),
                "a type outside the search path comes qualified");
        assertEquals(';', Column.of("a", Types.ARRAY, "_box").delimiter());
        assertNull(Column.of("i", Types.INTEGER, "int4").element());
    }

    @Test
    void numbersKeepEveryDigitAndTheirScale() {
        JsonNode rate = ColumnValues.fromText("4.90", Column.Kind.DECIMAL, "c");
        assertEquals("4.90", rate.toString());
        assertEquals("123456789012345678901234567890.123456789012345",
                ColumnValues.fromText("123456789012345678901234567890.123456789012345", Column.Kind.DECIMAL, "c").toString());
        assertEquals("\"-Infinity\"", ColumnValues.fromText("-Infinity", Column.Kind.DECIMAL, "c").toString());
        assertEquals("\"NaN\"", ColumnValues.fromText("NaN", Column.Kind.FLOAT, "c").toString());
        assertEquals("{\"a\":2.50}", Sql.jsonText(Sql.parseJson("{\"a\": 2.50}", "c")), "jsonb keeps 2.50");
        assertEquals("99999999999999999999", ColumnValues.fromText("99999999999999999999", Column.Kind.INTEGER, "c")
                .toString());
    }
}
