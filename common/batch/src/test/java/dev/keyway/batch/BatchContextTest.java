package dev.keyway.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.migration.Migration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

class BatchContextTest {

    private static final BatchContext FILM_ACTOR = new BatchContext(null, "film_actor", List.of("actor_id", "film_id"));

    private static ObjectNode doc(long actor, long film) {
        return JsonNodeFactory.instance.objectNode().put("film_id", film).put("counter", 0).put("actor_id", actor);
    }

    @Test
    void aCompositeKeysIdIsTheArrayOfItsValuesInKeyOrder() {
        assertEquals("[3,17]", FILM_ACTOR.id(doc(3, 17)).toString());
        assertEquals("[3,17]", Db.idText(FILM_ACTOR.id(doc(3, 17))));
        assertEquals("(actor_id, film_id)", FILM_ACTOR.primaryKey());
        assertNull(FILM_ACTOR.id(JsonNodeFactory.instance.objectNode().put("actor_id", 3)), "a key column is missing");
    }

    @Test
    void aOneColumnKeysIdIsItsValue() {
        BatchContext items = new BatchContext(null, "items", List.of("id"));
        assertEquals("id", items.primaryKey());
        assertEquals(7, items.id(JsonNodeFactory.instance.objectNode().put("id", 7)).asInt());
        assertEquals("b7", Db.idText(JsonNodeFactory.instance.textNode("b7")));
    }

    @Test
    void aFailingDocumentIsNamedByItsWholeKey() {
        Migration m = Migration.define("credits", "film_actor", (ctx, d) -> {
            throw new IllegalStateException("no credit");
        });
        MigrateOneCalls calls = new MigrateOneCalls(Schedulers.immediate(), Duration.ofSeconds(5));
        MigrateOneCalls.Result r = calls.run(m, FILM_ACTOR, List.of(doc(3, 17)), false);
        assertEquals("[3,17]", r.documentId());
        assertTrue(r.error().contains("threw on document (actor_id, film_id)=[3,17] of film_actor"), r.error());
    }
}
