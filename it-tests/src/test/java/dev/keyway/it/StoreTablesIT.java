package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.migration.Db;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.Page;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table metadata on the databases the store supports: a composite key in a mixed-case schema, a table of the same
 * name in the default schema, generated columns, and the tables the store refuses. On MariaDB a schema is a database
 * (the test's own name with {@code _Sales} added, which its {@code close()} drops), the default schema the
 * connection's database, and there are no identity columns: {@code Seq} is a VIRTUAL generated column there.
 */
class StoreTablesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path h2Dir;

    static Stream<String> databases() {
        return Stream.of("postgres", "mariadb", "h2");
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    /** The mixed-case schema: {@code Sales}, or on MariaDB a database of the test's, {@code keyway_it_<random>_Sales}. */
    private static String sales(TestDatabase db, String kind) {
        return kind.equals("mariadb") ? db.name() + "_Sales" : "Sales";
    }

    /** {@code "Sales"."OrderItems"} (see {@link #sales}). */
    private static String orderItems(TestDatabase db, String kind) {
        return "\"" + sales(db, kind) + "\".\"OrderItems\"";
    }

    /** {@code "Sales"."OrderItems"}: key (OrderId, LineNo), 4 orders of 3 lines; Seq and Total are generated. */
    private static Sql schema(TestDatabase db, String kind) throws Exception {
        Sql sql = new Sql(Sql.options(db));
        String orderItems = orderItems(db, kind);
        String seq = kind.equals("mariadb") ? "INT AS (\"LineNo\" * 10) VIRTUAL" : "INT GENERATED ALWAYS AS IDENTITY";
        String stored = kind.equals("h2") ? "" : " STORED";
        sql.exec((kind.equals("mariadb") ? "CREATE DATABASE \"" : "CREATE SCHEMA \"") + sales(db, kind) + "\"",
                "CREATE TABLE " + orderItems + " (\"OrderId\" INT NOT NULL, \"LineNo\" INT NOT NULL,"
                        + " \"Seq\" " + seq + ", \"Qty\" INT NOT NULL,"
                        + " \"Total\" INT GENERATED ALWAYS AS (\"Qty\" * 2)" + stored + ", \"Counter\" INT DEFAULT 0 NOT NULL,"
                        + " PRIMARY KEY (\"OrderId\", \"LineNo\"))",
                "CREATE TABLE \"OrderItems\" (\"id\" INT PRIMARY KEY, \"Counter\" INT DEFAULT 0 NOT NULL)",
                "INSERT INTO \"OrderItems\" (\"id\") VALUES (1)",
                "CREATE TABLE \"no_key\" (\"a\" INT, \"b\" INT)",
                "CREATE VIEW \"order_view\" AS SELECT \"OrderId\", \"Qty\" FROM " + orderItems);
        for (int o = 4; o >= 1; o--) {
            for (int l = 3; l >= 1; l--) {
                sql.exec("INSERT INTO " + orderItems + " (\"OrderId\", \"LineNo\", \"Qty\") VALUES (" + o + ", " + l + ", " + l + ")");
            }
        }
        return sql;
    }

    @ParameterizedTest
    @MethodSource("databases")
    void walksSplitsAndPatchesACompositeKeyInAMixedCaseSchema(String kind) throws Exception {
        try (TestDatabase db = TestDatabase.of(kind, h2Dir); Store store = Store.open(Sql.options(db))) {
            Sql sql = schema(db, kind);
            String orderItems = orderItems(db, kind);
            TableWalk walk = new TableWalk(orderItems, null);
            assertEquals(12, store.countRows(walk));
            assertEquals(List.of("[1,3]", "[2,3]", "[3,3]"), store.splitPoints(walk, 12, 4));

            List<String> seen = new ArrayList<>();
            String cursor = null;
            while (true) {
                try (BatchTransaction tx = store.begin(walk)) {
                    assertEquals(List.of("OrderId", "LineNo"), tx.primaryKey());
                    Page page = tx.readPage(cursor, null, 5);
                    Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
                    for (ObjectNode d : page.documents()) {
                        seen.add(d.get("OrderId") + "/" + d.get("LineNo"));
                        assertEquals(d.get("Qty").asInt() * 2, d.get("Total").asInt(), "generated columns are read");
                        // a patch may repeat the key's values; it sets Counter only
                        patches.put(JSON.createArrayNode().add(d.get("OrderId")).add(d.get("LineNo")), d.objectNode()
                                .put("Counter", d.get("Counter").asInt() + 1).set("OrderId", d.get("OrderId")));
                    }
                    tx.patchAll(patches);
                    tx.commit();
                    if (page.last()) {
                        break;
                    }
                    assertTrue(page.nextCursor().matches("\\[\\d,\\d]"), page.nextCursor());
                    cursor = page.nextCursor();
                }
            }
            assertEquals(List.of("1/1", "1/2", "1/3", "2/1", "2/2", "2/3", "3/1", "3/2", "3/3", "4/1", "4/2", "4/3"), seen);
            assertEquals(0, sql.count("SELECT COUNT(*) FROM " + orderItems + " WHERE \"Counter\" <> 1"));
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"OrderItems\" WHERE \"Counter\" <> 0"), "the other schema's");

            try (BatchTransaction tx = store.begin(new TableWalk("OrderItems", null))) {
                assertEquals(List.of("id"), tx.primaryKey(), "an unqualified name is the default schema's table");
                assertEquals(1, tx.readPage(null, null, 10).documents().size());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aPatchMayNotChangeAKeyColumnNorSetAGeneratedOne(String kind) throws Exception {
        try (TestDatabase db = TestDatabase.of(kind, h2Dir); Store store = Store.open(Sql.options(db))) {
            Sql sql = schema(db, kind);
            String orderItems = orderItems(db, kind);
            TableWalk walk = new TableWalk(orderItems, null);
            try (BatchTransaction tx = store.begin(walk)) {
                StoreException rekey = assertThrows(StoreException.class, () -> tx.patchAll(Map.of(json("[2,1]"),
                        (ObjectNode) json("{\"LineNo\":7,\"Counter\":5}"))));
                assertTrue(rekey.getMessage().contains("must not change the primary key: document (OrderId, LineNo)=[2,1]"
                        + " of " + orderItems + " was patched to LineNo=7"), rekey.getMessage());
                StoreException generated = assertThrows(StoreException.class, () -> tx.patchAll(Map.of(json("[2,1]"),
                        (ObjectNode) json("{\"Total\":7}"))));
                assertTrue(generated.getMessage().contains("sets column Total, which the database generates"),
                        generated.getMessage());
                assertFalse(StoreException.isRetriable(generated));
                StoreException shape = assertThrows(StoreException.class, () -> tx.patchAll(Map.of(json("2"),
                        (ObjectNode) json("{\"Counter\":7}"))));
                assertTrue(shape.getMessage().contains("its id is a JSON array of the values of (OrderId, LineNo)"),
                        shape.getMessage());
            }
            assertEquals(0, sql.count("SELECT COUNT(*) FROM " + orderItems + " WHERE \"Counter\" <> 0"));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void ctxDbAddressesACompositeKeyByArrayOrObjectAndNeverWritesGeneratedColumns(String kind) throws Exception {
        try (TestDatabase db = TestDatabase.of(kind, h2Dir); Store store = Store.open(Sql.options(db))) {
            Sql sql = schema(db, kind);
            String orderItems = orderItems(db, kind);
            try (BatchTransaction tx = store.begin(new TableWalk("OrderItems", null))) {
                Db d = tx.db();
                ObjectNode line = d.get(orderItems, json("[3,2]")).orElseThrow();
                assertEquals(2, line.get("Qty").asInt());
                assertEquals(line, d.get(orderItems, json("{\"LineNo\":2,\"OrderId\":3}")).orElseThrow());

                d.patch(orderItems, json("{\"OrderId\":3,\"LineNo\":2}"), (ObjectNode) json("{\"Qty\":10}"));
                assertEquals(20, d.get(orderItems, json("[3,2]")).orElseThrow().get("Total").asInt());
                StoreException e = assertThrows(StoreException.class,
                        () -> d.patch(orderItems, json("[3,2]"), (ObjectNode) json("{\"Seq\":1}")));
                assertTrue(e.getMessage().contains("sets column Seq"), e.getMessage());

                // a document read with get() holds the generated columns: insert and replace leave them out
                ObjectNode copy = line.deepCopy().put("LineNo", 9).put("Qty", 4);
                assertEquals("[3,9]", d.insert(orderItems, copy).toString(), "the id in the array form");
                assertEquals(8, d.get(orderItems, json("[3,9]")).orElseThrow().get("Total").asInt());
                d.replace(orderItems, json("[3,9]"), copy.put("Qty", 5).put("Counter", 3));
                ObjectNode replaced = d.get(orderItems, json("[3,9]")).orElseThrow();
                assertEquals(10, replaced.get("Total").asInt());
                assertEquals(3, replaced.get("Counter").asInt());

                d.delete(orderItems, json("{\"OrderId\":3,\"LineNo\":1}"));
                assertTrue(d.get(orderItems, json("[3,1]")).isEmpty());
                tx.commit();
            }
            assertEquals(12, sql.count("SELECT COUNT(*) FROM " + orderItems));
            assertEquals(3, sql.count("SELECT COUNT(*) FROM " + orderItems + " WHERE \"OrderId\" = 3"));
        }
    }

    @Test
    void aLargePartitionedTableIsSplitFromASampleOfItsCompositeKeys() throws Exception {
        try (TestDatabase db = TestDatabase.postgres(); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            int rows = 120_000;
            sql.exec("CREATE TABLE payment (payment_date DATE NOT NULL, payment_id INT NOT NULL, counter INT DEFAULT 0,"
                            + " PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date)",
                    "CREATE TABLE payment_2022_h1 PARTITION OF payment FOR VALUES FROM ('2022-01-01') TO ('2022-07-01')",
                    "CREATE TABLE payment_2022_h2 PARTITION OF payment FOR VALUES FROM ('2022-07-01') TO ('2023-01-01')",
                    // 120 payments a day share each date: the key's second column splits a day
                    "INSERT INTO payment (payment_date, payment_id) SELECT DATE '2022-01-01' + (g - 1) / 400, g"
                            + " FROM generate_series(1, " + rows + ") g",
                    "ANALYZE payment");
            TableWalk walk = new TableWalk("payment", null);
            assertEquals(rows, store.countRows(walk));
            List<String> points = store.splitPoints(walk, rows, 4);
            assertEquals(3, points.size(), points.toString());
            long before = 0;
            for (String p : points) {
                JsonNode key = json(p);
                assertTrue(key.isArray() && key.size() == 2, p);
                long upTo = sql.count("SELECT COUNT(*) FROM payment WHERE (payment_date, payment_id) <= (DATE '"
                        + key.get(0).asText() + "', " + key.get(1).asInt() + ")");
                // a sample of about 800 keys puts each quarter within a few per cent of its 30,000 rows
                assertTrue(Math.abs(upTo - before - rows / 4) < rows / 20, "segment of " + (upTo - before) + " rows: " + points);
                before = upTo;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void refusesWhatItCannotWalkWithTheReason(String kind) throws Exception {
        try (TestDatabase db = TestDatabase.of(kind, h2Dir); Store store = Store.open(Sql.options(db))) {
            schema(db, kind);
            String sales = sales(db, kind);
            assertRefused(store, "no_key", "table \"no_key\" has no primary key: Keyway walks tables in key order; add one");
            assertRefused(store, "order_view", "table \"order_view\" is a view: Keyway walks tables by their primary key;"
                    + " migrate the table(s) it reads");
            assertRefused(store, "\"" + sales + "\".\"Nope\"", "table \"" + sales + "\".\"Nope\" not found in ");
            assertRefused(store, "Sales.OrderItems.x", "table name Sales.OrderItems.x is not valid: 3 parts");
            String lower = sales.replace("Sales", "sales");
            assertRefused(store, lower + ".\"OrderItems\"", "table " + lower + ".\"OrderItems\" not found");
            if (kind.equals("mariadb")) {
                // where it looked: the schema named, or the connection's database
                assertRefused(store, "\"" + sales + "\".\"Nope\"", "(schemas searched: " + sales + ")");
                assertRefused(store, "Nope", "table \"Nope\" not found in " + db.jdbcUrl() + " (schemas searched: "
                        + db.name() + ")");
            }
            if (kind.equals("postgres")) {
                assertRefused(store, "OrderItems_pkey", "table \"OrderItems_pkey\" is not a table but an index");
            }
        }
    }

    private static void assertRefused(Store store, String table, String reason) {
        StoreException e = assertThrows(StoreException.class, () -> store.countRows(new TableWalk(table, null)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(StoreException.isRetriable(e), e.getMessage());
    }
}
