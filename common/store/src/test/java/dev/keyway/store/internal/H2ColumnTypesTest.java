package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.RejectedValueException;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The column mapping on H2 (where arrays go through {@code java.sql.Array} rather than PostgreSQL's text form):
 * writing every value of a document back leaves the row as it was, a patch of each typed column writes its value,
 * and a value that cannot be the column's fails naming the document. PostgreSQL's side is ColumnTypesIT.
 */
class H2ColumnTypesTest {

    private final H2Memory h2 = new H2Memory("types");
    private Store store;

    @BeforeEach
    void createTable() throws Exception {
        h2.exec("CREATE TABLE \"typed\" (\"id\" BIGINT PRIMARY KEY, \"tags\" VARCHAR(20) ARRAY, \"nums\" NUMERIC(10,2) ARRAY,"
                        + " \"doc\" JSON, \"bytes\" VARBINARY(10), \"rate\" NUMERIC(6,2), \"at\" TIMESTAMP WITH TIME ZONE,"
                        + " \"local\" TIMESTAMP(6), \"day\" DATE, \"token\" UUID, \"counter\" INT NOT NULL)",
                "INSERT INTO \"typed\" VALUES (1, ARRAY['a', NULL, 'b,c'], ARRAY[1.50, NULL], JSON '{\"k\":[1,2.50]}',"
                        + " X'00ff00', 4.90, TIMESTAMP WITH TIME ZONE '2026-01-02 03:04:05.123456+02',"
                        + " TIMESTAMP '2026-01-02 03:04:05.000001', DATE '2026-01-02', '00000000-0000-0000-0000-000000000001', 0)",
                "INSERT INTO \"typed\" (\"id\", \"tags\", \"counter\") VALUES (2, ARRAY[], 0)",
                "CREATE TABLE \"before\" AS SELECT * FROM \"typed\"");
        store = Store.open(h2.options());
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        h2.drop();
    }

    @Test
    void writingEveryValueOfTheDocumentBackLeavesTheRowAsItWas() throws Exception {
        Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
        try (BatchTransaction tx = store.begin(new TableWalk("typed", null))) {
            List<ObjectNode> docs = tx.readPage(null, null, 10).documents();
            ObjectNode first = docs.get(0);
            assertEquals("[\"a\",null,\"b,c\"]", first.get("tags").toString());
            assertEquals("[1.50,null]", first.get("nums").toString());
            assertEquals("\\x00ff00", first.get("bytes").asText());
            assertEquals("4.90", first.get("rate").toString());
            assertEquals("2026-01-02T01:04:05.123456Z", first.get("at").asText());
            assertEquals("2026-01-02T03:04:05.000001", first.get("local").asText());
            assertEquals("[]", docs.get(1).get("tags").toString());
            for (ObjectNode doc : docs) {
                patches.put(doc.get("id"), doc.deepCopy().put("counter", doc.get("counter").asInt() + 1));
            }
            tx.patchAll(patches);
            tx.commit();
        }
        assertEquals(List.of(), changed(Map.of()));
        assertEquals(2, h2.count("SELECT COUNT(*) FROM \"typed\" WHERE \"counter\" = 1"));
    }

    @Test
    void aPatchOfEachTypedColumnWritesItsValue() throws Exception {
        try (BatchTransaction tx = store.begin(new TableWalk("typed", null))) {
            ObjectNode doc = tx.readPage(null, null, 1).documents().get(0);
            ObjectNode patch = doc.objectNode().put("counter", 1);
            patch.set("tags", ((ArrayNode) doc.get("tags").deepCopy()).add("new"));
            patch.set("nums", ((ArrayNode) doc.get("nums").deepCopy()).add(new BigDecimal("0.10")));
            patch.set("rate", DecimalNode.valueOf(doc.get("rate").decimalValue().add(BigDecimal.ONE)));
            patch.put("bytes", doc.get("bytes").asText() + "01");
            patch.put("at", "2026-01-03T00:00:00.000001Z");
            patch.set("doc", ((ObjectNode) doc.get("doc").deepCopy()).put("seen", true));
            tx.patchAll(Map.of(doc.get("id"), patch));
            tx.commit();
        }
        assertEquals(List.of(), changed(Map.of("\"tags\"", "ARRAY['a', NULL, 'b,c', 'new']",
                "\"nums\"", "CAST(ARRAY[1.50, NULL, 0.10] AS NUMERIC(10,2) ARRAY)", "\"rate\"", "5.90",
                "\"bytes\"", "X'00ff0001'", "\"at\"", "TIMESTAMP WITH TIME ZONE '2026-01-03 00:00:00.000001+00'",
                "\"doc\"", "JSON '{\"k\":[1,2.50],\"seen\":true}'")));
    }

    @Test
    void anArrayForAScalarColumnFailsNamingTheColumnTheValueAndTheDocument() {
        try (BatchTransaction tx = store.begin(new TableWalk("typed", null))) {
            ObjectNode patch = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            patch.putArray("rate").add(1);
            RejectedValueException e = assertThrows(RejectedValueException.class,
                    () -> tx.patchAll(Map.of(com.fasterxml.jackson.databind.node.LongNode.valueOf(1), patch)));
            assertEquals("1", e.documentId());
            assertTrue(e.getMessage().contains("id=1 of \"typed\"") && e.getMessage().contains("\"rate\" (")
                    && e.getMessage().contains("[1]"), e.getMessage());
            ObjectNode bytes = patch.objectNode().put("bytes", "00ff");
            RejectedValueException notHex = assertThrows(RejectedValueException.class,
                    () -> tx.patchAll(Map.of(com.fasterxml.jackson.databind.node.LongNode.valueOf(1), bytes)));
            assertTrue(notHex.getMessage().contains("\\x"), notHex.getMessage());
        }
    }

    /** Rows of row 1 or 2 whose column differs from the copy taken before (or from the given expression). */
    private List<String> changed(Map<String, String> expected) throws Exception {
        List<String> changed = new ArrayList<>();
        for (String col : List.of("\"tags\"", "\"nums\"", "\"doc\"", "\"bytes\"", "\"rate\"", "\"at\"", "\"local\"",
                "\"day\"", "\"token\"")) {
            String want = expected.getOrDefault(col, "b." + col);
            long n = h2.count("SELECT COUNT(*) FROM \"typed\" t JOIN \"before\" b ON t.\"id\" = b.\"id\" WHERE"
                    + (expected.containsKey(col) ? " t.\"id\" = 1 AND" : "") + " t." + col + " IS DISTINCT FROM " + want);
            if (n > 0) {
                changed.add(col);
            }
        }
        return changed;
    }
}
