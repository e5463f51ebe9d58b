package dev.keyway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.keyway.message.BatchKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The fake's before-images keep the store's contract (BatchTransaction.keepImages and restore) for the unit tests of
 * the batch path that use it: the first before-image of a run, conflicts, restoring twice is restoring once.
 */
class FakeStoreImagesTest {

    private final FakeStore store = new FakeStore(5);

    private void plusOne(String run, long... ids) {
        try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
            tx.keepImages(new BatchKey("m", run, 0, null));
            for (long id : ids) {
                tx.patchAll(Map.of(LongNode.valueOf(id), JsonNodeFactory.instance.objectNode()
                        .put("counter", tx.readByIds(List.of(LongNode.valueOf(id))).get(String.valueOf(id))
                                .get("counter").asInt() + 1)));
            }
            tx.commit();
        }
    }

    @Test
    void aRunsImagesRestoreItsRowsButThoseChangedSince() {
        plusOne("r1", 1, 2, 3);
        plusOne("r1", 1);
        List<RowImage> images = store.images("m", "r1", null, 10).images();
        assertEquals(3, images.size());
        images.forEach(i -> assertEquals(Optional.of(i.afterHash()), store.currentHash(i.table(), i.key())));
        store.write(JsonNodeFactory.instance.objectNode().put("id", 2).put("counter", 42));
        try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
            for (RowImage image : tx.readImages("m", "r1", null, null, 10).images()) {
                assertEquals(image.key().equals("2") ? RestoreOutcome.CONFLICT : RestoreOutcome.RESTORED,
                        tx.restore(image, false));
                assertEquals(image.key().equals("2") ? RestoreOutcome.CONFLICT : RestoreOutcome.RESTORED,
                        tx.restore(image, false)); // again: nothing more
            }
            tx.commit();
        }
        assertEquals(List.of(0, 42, 0, 0, 0), store.rows().stream().map(r -> r.get("counter").asInt()).toList());
        assertEquals(3, store.purgeImages("m", "r1"));
        assertEquals(List.of(), store.imageRuns("m"));
    }
}
