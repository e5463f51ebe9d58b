package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.CustomRange;
import dev.keyway.store.StoreException;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyOrderTest {

    private static final TableInfo FILM_ACTOR = new TableInfo(TableName.parse("film_actor"), "public", "film_actor",
            List.of("actor_id", "film_id"), List.of("actor_id", "film_id", "last_update", "counter"), Set.of());
    private static final TableInfo ITEMS = new TableInfo(TableName.parse("items"), "public", "items",
            List.of("id"), List.of("id", "category", "counter"), Set.of());

    private static ObjectNode doc(long actor, long film) {
        return JsonNodeFactory.instance.objectNode().put("actor_id", actor).put("film_id", film).put("counter", 0);
    }

    /** A statement that records what is bound to it, by index. */
    private static PreparedStatement recording(List<Object> bound) {
        return (PreparedStatement) Proxy.newProxyInstance(KeyOrderTest.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("set")) {
                        bound.add(args[0] + "=" + args[1]);
                    }
                    return null;
                });
    }

    @Test
    void aCompositeKeyWalksByAllItsColumnsInKeyOrder() {
        KeyOrder order = new KeyOrder(FILM_ACTOR, null);
        assertEquals(List.of("actor_id", "film_id"), order.columns());
        assertEquals("\"actor_id\", \"film_id\"", order.orderBy());
        assertEquals("[3,17]", order.cursorOf(doc(3, 17)));
        assertEquals("(\"actor_id\", \"film_id\") > (?, ?) AND (\"actor_id\", \"film_id\") <= (?, ?)",
                order.where("[1,2]", "[3,4]"));
    }

    @Test
    void aCompositeCursorBindsEveryKeyColumn() throws Exception {
        KeyOrder order = new KeyOrder(FILM_ACTOR, null);
        List<Object> bound = new ArrayList<>();
        int next = order.bind(new Sql(new PostgresDialect()), recording(bound), 1, "[1,2]", "[3,4]");
        assertEquals(5, next);
        assertEquals(List.of("1=1", "2=2", "3=3", "4=4"), bound);
    }

    @Test
    void onMariaDbACompositeCursorIsComparedColumnByColumnSoThatItIsReadAsAnIndexRange() throws Exception {
        TableInfo threeColumns = new TableInfo(TableName.parse("t"), "db", "t", List.of("a", "b", "c"),
                List.of("a", "b", "c"), Set.of());
        KeyOrder order = new KeyOrder(threeColumns, null, new MariaDbDialect());
        assertEquals("(\"a\" > ? OR (\"a\" = ? AND (\"b\" > ? OR (\"b\" = ? AND \"c\" > ?))))"
                + " AND (\"a\" < ? OR (\"a\" = ? AND (\"b\" < ? OR (\"b\" = ? AND \"c\" <= ?))))",
                order.where("[1,2,3]", "[4,5,6]"));
        List<Object> bound = new ArrayList<>();
        assertEquals(11, order.bind(new Sql(new MariaDbDialect()), recording(bound), 1, "[1,2,3]", "[4,5,6]"));
        assertEquals(List.of("1=1", "2=1", "3=2", "4=2", "5=3", "6=4", "7=4", "8=5", "9=5", "10=6"), bound);
        assertEquals("\"id\" > ?", new KeyOrder(ITEMS, null, new MariaDbDialect()).where("[1]", null),
                "one column is compared as it is");
    }

    @Test
    void aCursorOfTheWrongShapeIsRefusedNamingTheKey() {
        KeyOrder order = new KeyOrder(FILM_ACTOR, null);
        StoreException e = assertThrows(StoreException.class,
                () -> order.bind(new Sql(new PostgresDialect()), recording(new ArrayList<>()), 1, "[1]", null));
        assertTrue(e.getMessage().contains("[actor_id, film_id]") && e.getMessage().contains("\"film_actor\""),
                e.getMessage());
    }

    @Test
    void aRangeOverTheKeysFirstColumnKeepsKeyOrder() {
        KeyOrder order = new KeyOrder(FILM_ACTOR, CustomRange.between("actor_id", 10, 20));
        assertEquals(List.of("actor_id", "film_id"), order.columns());
        assertEquals("\"actor_id\" >= ? AND \"actor_id\" <= ?", order.where(null, null));
    }

    @Test
    void aRangeOverAnotherColumnOrdersByItThenByTheKey() {
        assertEquals(List.of("film_id", "actor_id"),
                new KeyOrder(FILM_ACTOR, CustomRange.between("film_id", 1, 9)).columns(), "a key column is not repeated");
        assertEquals(List.of("counter", "actor_id", "film_id"),
                new KeyOrder(FILM_ACTOR, CustomRange.between("counter", 0, 9)).columns());
        assertEquals(List.of("category", "id"), new KeyOrder(ITEMS, CustomRange.between("category", "a", "m")).columns());
    }

    @Test
    void anEqualityRangeWalksInKeyOrder() {
        assertEquals(List.of("actor_id", "film_id"),
                new KeyOrder(FILM_ACTOR, CustomRange.between("counter", 0, 0)).columns());
    }

    @Test
    void aRangeOverAMissingColumnIsRefusedListingTheColumns() {
        StoreException e = assertThrows(StoreException.class,
                () -> new KeyOrder(FILM_ACTOR, CustomRange.between("release_year", 2000, 2010)));
        assertTrue(e.getMessage().contains("customRange column release_year not found in table \"film_actor\"")
                && e.getMessage().contains("actor_id, film_id, last_update, counter"), e.getMessage());
    }
}
