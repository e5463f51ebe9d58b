package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyway.migration.Db;
import dev.keyway.store.StoreException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableInfoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableInfo FILM_ACTOR = new TableInfo(TableName.parse("film_actor"), "public", "film_actor",
            List.of("actor_id", "film_id"), List.of("actor_id", "film_id", "counter"), Set.of());
    private static final TableInfo ORDER_ITEMS = new TableInfo(TableName.parse("\"Sales\".\"OrderItems\""), "Sales",
            "OrderItems", List.of("ItemId"), List.of("ItemId", "Total"), Set.of("Total"));

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void statementsUseTheQualifiedQuotedNameAndMessagesTheWrittenOne() {
        assertEquals("\"Sales\".\"OrderItems\"", ORDER_ITEMS.sqlName());
        assertEquals("\"public\".\"film_actor\"", FILM_ACTOR.sqlName());
        assertEquals("\"film_actor\"", FILM_ACTOR.describe());
    }

    @Test
    void aCompositeIdIsTheArrayOfTheKeyValuesInKeyOrder() throws Exception {
        JsonNode id = FILM_ACTOR.idOf((com.fasterxml.jackson.databind.node.ObjectNode)
                json("{\"film_id\":17,\"counter\":0,\"actor_id\":3}"));
        assertEquals(json("[3,17]"), id);
        assertEquals("[3,17]", Db.idText(id));
        assertEquals("(actor_id, film_id)", FILM_ACTOR.keyDescription());
    }

    @Test
    void aCompositeIdMayBeAnArrayOrAnObjectNamingEachKeyColumn() throws Exception {
        List<JsonNode> expected = List.of(json("3"), json("17"));
        assertEquals(expected, FILM_ACTOR.keyValues(json("[3,17]")));
        assertEquals(expected, FILM_ACTOR.keyValues(json("{\"film_id\":17,\"actor_id\":3}")));
        assertEquals("\"actor_id\" = ? AND \"film_id\" = ?", FILM_ACTOR.keyCondition());
    }

    @Test
    void anIdOfTheWrongShapeSaysWhichFormTheTableTakes() throws Exception {
        for (String bad : List.of("3", "[3]", "[3,17,1]", "{\"actor_id\":3}", "null")) {
            StoreException e = assertThrows(StoreException.class, () -> FILM_ACTOR.keyValues(json(bad)), bad);
            assertTrue(e.getMessage().contains("JSON array of the values of (actor_id, film_id)"), e.getMessage());
        }
        StoreException single = assertThrows(StoreException.class, () -> ORDER_ITEMS.keyValues(json("[1]")));
        assertTrue(single.getMessage().contains("the value of ItemId"), single.getMessage());
    }

    @Test
    void settingAGeneratedColumnIsRefusedNamingIt() {
        StoreException e = assertThrows(StoreException.class,
                () -> ORDER_ITEMS.refuseGenerated(List.of("ItemId", "Total"), "the patch", "rolled back"));
        assertTrue(e.getMessage().contains("the patch of \"Sales\".\"OrderItems\" sets column Total,")
                && e.getMessage().contains("GENERATED ALWAYS"), e.getMessage());
        ORDER_ITEMS.refuseGenerated(List.of("ItemId"), "the patch", "rolled back");
    }
}
