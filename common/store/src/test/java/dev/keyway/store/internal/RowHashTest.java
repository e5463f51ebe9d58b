package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the after-hash of a before-image covers: the row's values, not the order of its columns, a number's scale or
 * a json column's key order; and the same stored row read in another session (another time zone) hashes the same.
 */
class RowHashTest {

    private static ObjectNode row(String json) {
        return (ObjectNode) Sql.parseJson(json, "test");
    }

    @Test
    void theOrderOfColumnsAndOfAJsonValuesKeysDoesNotChangeTheHash() {
        String hash = RowHash.of(row("{\"id\":1,\"note\":\"a\",\"doc\":{\"x\":1,\"y\":{\"b\":2,\"a\":[1,{\"d\":0,\"c\":1}]}}}"));
        assertEquals(hash, RowHash.of(row("{\"doc\":{\"y\":{\"a\":[1,{\"c\":1,\"d\":0}],\"b\":2},\"x\":1},\"note\":\"a\",\"id\":1}")));
        assertEquals("{\"doc\":{\"x\":1,\"y\":{\"a\":[1,{\"c\":1,\"d\":0}],\"b\":2}},\"id\":1,\"note\":\"a\"}",
                Sql.jsonText(RowHash.canonical(row("{\"id\":1,\"note\":\"a\",\"doc\":{\"y\":{\"b\":2,\"a\":[1,{\"d\":0,\"c\":1}]},\"x\":1}}"))));
        // but the order of an array's elements is a value
        assertNotEquals(hash, RowHash.of(row("{\"id\":1,\"note\":\"a\",\"doc\":{\"x\":1,\"y\":{\"b\":2,\"a\":[{\"d\":0,\"c\":1},1]}}}")));
    }

    @Test
    void aNumberHashesByItsValueWhateverItsScaleOrForm() {
        String hash = RowHash.of(row("{\"id\":5,\"amount\":4.9,\"big\":12345678901234567890.5}"));
        assertEquals(hash, RowHash.of(row("{\"id\":5.0,\"amount\":4.900,\"big\":12345678901234567890.50}")));
        assertEquals("{\"amount\":4.9,\"big\":1000,\"id\":0,\"tiny\":0.0000001}",
                Sql.jsonText(RowHash.canonical(row("{\"id\":0.000,\"amount\":4.90,\"big\":1E+3,\"tiny\":1.0E-7}"))));
        assertNotEquals(hash, RowHash.of(row("{\"id\":5,\"amount\":4.91,\"big\":12345678901234567890.5}")));
        // a number and its text are different values
        assertNotEquals(hash, RowHash.of(row("{\"id\":\"5\",\"amount\":4.9,\"big\":12345678901234567890.5}")));
    }

    @Test
    void aColumnThatTurnsNullIsAChange() {
        // a column holding SQL NULL is left out of the row as read
        assertNotEquals(RowHash.of(row("{\"id\":1,\"note\":\"a\"}")), RowHash.of(row("{\"id\":1}")));
        assertNotEquals(RowHash.of(row("{\"id\":1,\"note\":\"\"}")), RowHash.of(row("{\"id\":1}")));
    }

    @Test
    void theSameStoredRowHashesTheSameInASessionOfAnotherTimeZone() throws Exception {
        String url = "jdbc:h2:mem:hash" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        Sql sql = new Sql(new H2Dialect());
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE \"t\" (\"id\" BIGINT PRIMARY KEY, \"at\" TIMESTAMP WITH TIME ZONE, \"local\""
                    + " TIMESTAMP(6), \"amount\" NUMERIC(10,2), \"rate\" DOUBLE PRECISION, \"doc\" JSON, \"bytes\" VARBINARY(4))");
            st.execute("INSERT INTO \"t\" VALUES (1, TIMESTAMP WITH TIME ZONE '2026-01-02 03:04:05.123456+02',"
                    + " TIMESTAMP '2026-01-02 03:04:05.5', 4.90, 0.1, JSON '{\"b\":1.50,\"a\":null}', X'00ff')");
            st.execute("SET TIME ZONE 'UTC'");
            ObjectNode utc = read(sql, st);
            st.execute("SET TIME ZONE 'Asia/Kolkata'");
            ObjectNode kolkata = read(sql, st);
            assertEquals("2026-01-02T01:04:05.123456Z", kolkata.get("at").asText());
            assertEquals(RowHash.of(utc), RowHash.of(kolkata));
            assertEquals(64, RowHash.of(utc).length());
        }
    }

    private static ObjectNode read(Sql sql, Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT * FROM \"t\"")) {
            rs.next();
            return sql.readRow(rs);
        }
    }
}
