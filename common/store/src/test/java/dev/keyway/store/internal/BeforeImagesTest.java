package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagePage;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.Page;
import dev.keyway.store.RestoreOutcome;
import dev.keyway.store.RowImage;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Before-images on H2 ({@code keyway_images}): what a batch that keeps them records for patches and for each kind of
 * {@code ctx.db()} write, that a rolled-back batch and a savepoint's rollback leave none, how a row changed by two
 * batches merges, the walk, the purge, and restoring rows (conflicts included). PostgreSQL and MariaDB: ImagesStoreIT.
 */
class BeforeImagesTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private final H2Memory h2 = new H2Memory("images");
    private JdbcStore store;

    @BeforeEach
    void createTables() throws Exception {
        h2.exec("CREATE TABLE \"t\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL, \"amount\" NUMERIC(10,2),"
                        + " \"at\" TIMESTAMP WITH TIME ZONE, \"doc\" JSON)",
                "INSERT INTO \"t\" SELECT X, 0, 4.90, TIMESTAMP WITH TIME ZONE '2026-01-02 03:04:05.5+02', JSON '{\"k\":1}'"
                        + " FROM SYSTEM_RANGE(1, 10)",
                "CREATE TABLE \"side\" (\"id\" BIGINT PRIMARY KEY, \"v\" VARCHAR(20))",
                "INSERT INTO \"side\" VALUES (1, 'one'), (2, 'two')",
                "CREATE TABLE \"pairs\" (\"a\" INT, \"b\" VARCHAR(10), \"v\" INT, PRIMARY KEY (\"a\", \"b\"))",
                "INSERT INTO \"pairs\" VALUES (1, 'x', 0), (2, 'y', 0)",
                "CREATE TABLE \"gen\" (\"id\" BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \"v\" INT)",
                "INSERT INTO \"gen\" (\"v\") VALUES (7)");
        store = JdbcStore.open(h2.options());
        store.ensureBookkeeping();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        h2.drop();
    }

    private static BatchKey batch(String run, int segment) {
        return new BatchKey("m", run, segment, null);
    }

    private static ObjectNode counter(int n) {
        return JSON.objectNode().put("counter", n);
    }

    /** One batch over {@code t} that keeps images, commits. */
    private void batch(String run, Consumer<BatchTransaction> work) {
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            tx.keepImages(batch(run, 0));
            work.accept(tx);
            tx.commit();
        }
    }

    private List<RowImage> images(String run) {
        return store.images("m", run, null, 1_000).images();
    }

    private RowImage image(String run, String table, String key) {
        return images(run).stream().filter(i -> i.table().equals(table) && i.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void aBatchRecordsTheFirstBeforeImageAndTheLastAfterHashOfEveryRowItChanges() throws Exception {
        batch("r1", tx -> {
            Page page = tx.readPage(null, null, 3);
            Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
            page.documents().forEach(d -> patches.put(d.get("id"), counter(1)));
            tx.db().patch("t", LongNode.valueOf(2), JSON.objectNode().put("amount", 5));
            tx.patchAll(patches);
            tx.db().insert("side", JSON.objectNode().put("id", 3).put("v", "three"));
            tx.db().delete("side", LongNode.valueOf(1));
            tx.db().patch("side", LongNode.valueOf(2), JSON.objectNode().put("v", "2"));
            tx.db().replace("side", JSON.textNode("2"), JSON.objectNode().put("v", "deux"));
            tx.db().patch("pairs", JSON.objectNode().put("b", "y").put("a", 2), JSON.objectNode().put("v", 5));
            // a patch that changes nothing, and a delete of a row that is not there, record nothing
            tx.db().patch("t", LongNode.valueOf(9), JSON.objectNode().put("counter", 0));
            tx.db().delete("side", LongNode.valueOf(99));
        });
        List<RowImage> all = images("r1");
        assertEquals(7, all.size(), all.toString());
        for (String id : List.of("1", "3")) {
            RowImage image = image("r1", "\"PUBLIC\".\"t\"", id);
            assertEquals(RowImage.Op.UPDATE, image.op());
            assertEquals("{\"id\":" + id + ",\"counter\":0,\"amount\":4.90,\"at\":\"2026-01-02T01:04:05.500Z\",\"doc\":{\"k\":1}}",
                    image.before());
            assertEquals(store.currentHash(image.table(), id), Optional.of(image.afterHash()));
        }
        // patched through ctx.db() and then by patchAll: the page's before-image, the hash after both
        RowImage two = image("r1", "\"PUBLIC\".\"t\"", "2");
        assertTrue(two.before().contains("\"counter\":0,\"amount\":4.90"), two.before());
        assertEquals(RowHash.of(h2.row("SELECT * FROM \"t\" WHERE \"id\" = 2")), two.afterHash());
        assertEquals("{\"id\":2,\"counter\":1,\"amount\":5.00,\"at\":\"2026-01-02T01:04:05.500Z\",\"doc\":{\"k\":1}}",
                Sql.jsonText(h2.row("SELECT * FROM \"t\" WHERE \"id\" = 2")));
        RowImage inserted = image("r1", "\"PUBLIC\".\"side\"", "3");
        assertEquals(RowImage.Op.INSERT, inserted.op());
        assertNull(inserted.before());
        assertEquals(store.currentHash(inserted.table(), "3").orElseThrow(), inserted.afterHash());
        RowImage deleted = image("r1", "\"PUBLIC\".\"side\"", "1");
        assertEquals(RowImage.Op.DELETE, deleted.op());
        assertEquals("{\"id\":1,\"v\":\"one\"}", deleted.before());
        assertNull(deleted.afterHash());
        assertEquals(Optional.empty(), store.currentHash(deleted.table(), "1"));
        RowImage twice = image("r1", "\"PUBLIC\".\"side\"", "2");
        assertEquals("{\"id\":2,\"v\":\"two\"}", twice.before());
        assertEquals(store.currentHash(twice.table(), "2").orElseThrow(), twice.afterHash());
        RowImage pair = image("r1", "\"PUBLIC\".\"pairs\"", "[2,\"y\"]");
        assertEquals("{\"a\":2,\"b\":\"y\",\"v\":0}", pair.before());
        assertEquals(store.currentHash(pair.table(), pair.key()).orElseThrow(), pair.afterHash());
    }

    @Test
    void aRolledBackBatchAndAReplayedOneRecordNone() throws Exception {
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            tx.keepImages(batch("r1", 0));
            tx.readPage(null, null, 2);
            tx.patchAll(Map.of(LongNode.valueOf(1), counter(1)));
            tx.db().insert("side", JSON.objectNode().put("id", 3).put("v", "three"));
        }
        assertEquals(List.of(), images("r1"));
        assertEquals(0, h2.count("SELECT COUNT(*) FROM keyway_images"));
        // a batch that does not ask for images records none
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            tx.readPage(null, null, 2);
            tx.patchAll(Map.of(LongNode.valueOf(1), counter(1)));
            tx.db().delete("side", LongNode.valueOf(1));
            tx.commit();
        }
        assertEquals(0, h2.count("SELECT COUNT(*) FROM keyway_images"));
    }

    @Test
    void aRollbackToTheSavepointForgetsTheImagesCapturedSinceIt() {
        batch("r1", tx -> {
            tx.readPage(null, null, 5);
            tx.patchAll(Map.of(LongNode.valueOf(1), counter(1)));
            tx.savepoint();
            tx.patchAll(Map.of(LongNode.valueOf(1), counter(2), LongNode.valueOf(2), counter(2)));
            tx.db().insert("side", JSON.objectNode().put("id", 3).put("v", "three"));
            tx.rollbackToSavepoint();
            tx.patchAll(Map.of(LongNode.valueOf(4), counter(4)));
            tx.rollbackToSavepoint(); // twice: back to the same point
            tx.patchAll(Map.of(LongNode.valueOf(5), counter(5)));
        });
        List<RowImage> all = images("r1");
        assertEquals(List.of("1", "5"), all.stream().map(RowImage::key).sorted().toList());
        assertEquals(store.currentHash("\"PUBLIC\".\"t\"", "1").orElseThrow(), image("r1", "\"PUBLIC\".\"t\"", "1").afterHash());
    }

    @Test
    void aRowChangedByTwoBatchesOfARunKeepsTheFirstBeforeImageAndTheLastAfterHash() {
        batch("r1", tx -> tx.db().patch("side", LongNode.valueOf(1), JSON.objectNode().put("v", "a")));
        batch("r1", tx -> tx.db().patch("side", LongNode.valueOf(1), JSON.objectNode().put("v", "b")));
        batch("r1", tx -> tx.db().insert("side", JSON.objectNode().put("id", 5).put("v", "new")));
        batch("r1", tx -> tx.db().delete("side", LongNode.valueOf(5)));
        batch("r1", tx -> tx.db().delete("side", LongNode.valueOf(2)));
        RowImage one = image("r1", "\"PUBLIC\".\"side\"", "1");
        assertEquals("{\"id\":1,\"v\":\"one\"}", one.before());
        assertEquals(RowImage.Op.UPDATE, one.op());
        assertEquals(store.currentHash(one.table(), "1").orElseThrow(), one.afterHash());
        RowImage five = image("r1", "\"PUBLIC\".\"side\"", "5");
        assertEquals(RowImage.Op.INSERT, five.op());
        assertNull(five.before());
        assertNull(five.afterHash());
        // another run keeps images of its own
        batch("r2", tx -> tx.db().patch("side", LongNode.valueOf(1), JSON.objectNode().put("v", "c")));
        assertEquals("{\"id\":1,\"v\":\"b\"}", image("r2", "\"PUBLIC\".\"side\"", "1").before());
        assertEquals(3, images("r1").size());
    }

    @Test
    void imagesKeptWhenAskedAfterThePageWasReadAreReadAgain() {
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            tx.readPage(null, null, 3);
            tx.keepImages(batch("r1", 0));
            tx.patchAll(Map.of(LongNode.valueOf(1), counter(1), LongNode.valueOf(77), counter(1)));
            tx.commit();
        }
        assertEquals(List.of("1"), images("r1").stream().map(RowImage::key).toList());
        assertTrue(images("r1").get(0).before().contains("\"counter\":0"));
    }

    @Test
    void restoringPutsBackEachRowUnlessTheApplicationChangedItSince() throws Exception {
        batch("r1", tx -> {
            tx.readPage(null, null, 3);
            tx.patchAll(Map.of(LongNode.valueOf(1), counter(1), LongNode.valueOf(2), counter(1), LongNode.valueOf(3),
                    counter(1)));
            tx.db().insert("side", JSON.objectNode().put("id", 3).put("v", "three"));
            tx.db().delete("side", LongNode.valueOf(1));
            tx.db().patch("pairs", JSON.arrayNode().add(1).add("x"), JSON.objectNode().put("v", 9));
            tx.db().delete("gen", LongNode.valueOf(1));
        });
        h2.exec("UPDATE \"t\" SET \"counter\" = 50 WHERE \"id\" = 2"); // the application, since
        Map<String, RestoreOutcome> outcomes = new LinkedHashMap<>();
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            ImagePage page = tx.readImages("m", "r1", null, null, 100);
            assertTrue(page.last());
            for (RowImage image : page.images()) {
                outcomes.put(image.table() + " " + image.key(), tx.restore(image, false));
            }
            tx.commit();
        }
        assertEquals(RestoreOutcome.CONFLICT, outcomes.get("\"PUBLIC\".\"t\" 2"), outcomes.toString());
        assertEquals(6, outcomes.values().stream().filter(o -> o == RestoreOutcome.RESTORED).count(), outcomes.toString());
        assertEquals(0, h2.count("SELECT COUNT(*) FROM \"t\" WHERE \"id\" <> 2 AND \"counter\" <> 0"));
        assertEquals(50, h2.count("SELECT \"counter\" FROM \"t\" WHERE \"id\" = 2"));
        assertEquals(2, h2.count("SELECT COUNT(*) FROM \"side\""));
        assertEquals(1, h2.count("SELECT COUNT(*) FROM \"side\" WHERE \"id\" = 1 AND \"v\" = 'one'"));
        assertEquals(0, h2.count("SELECT \"v\" FROM \"pairs\" WHERE \"a\" = 1"));
        assertEquals(7, h2.count("SELECT \"v\" FROM \"gen\" WHERE \"id\" = 1"));
        // restoring again finds every row as it was (restoring twice is restoring once); the conflict stays one
        RowImage two = image("r1", "\"PUBLIC\".\"t\"", "2");
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            for (RowImage image : images("r1")) {
                assertEquals(image.equals(two) ? RestoreOutcome.CONFLICT : RestoreOutcome.RESTORED,
                        tx.restore(image, false), image.toString());
            }
            assertEquals(RestoreOutcome.FORCED, tx.restore(two, true));
            assertEquals(RestoreOutcome.RESTORED, tx.restore(two, false));
            tx.commit();
        }
        assertEquals(0, h2.count("SELECT \"counter\" FROM \"t\" WHERE \"id\" = 2"));
    }

    @Test
    void theWalkGoesInIdOrderBetweenCursorsAndSplitPointsShareItOut() {
        batch("r1", tx -> {
            Page page = tx.readPage(null, null, 10);
            Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
            page.documents().forEach(d -> patches.put(d.get("id"), counter(1)));
            tx.patchAll(patches);
        });
        List<String> ids = images("r1").stream().map(RowImage::id).toList();
        assertEquals(ids.stream().sorted().toList(), ids);
        List<String> walked = new ArrayList<>();
        String cursor = null;
        for (ImagePage page; !(page = store.images("m", "r1", cursor, 3)).images().isEmpty(); cursor = page.nextCursor()) {
            page.images().forEach(i -> walked.add(i.id()));
        }
        assertEquals(ids, walked);
        List<String> points = RowImage.splitPoints(4);
        assertEquals(List.of("4000000000000000", "8000000000000000", "c000000000000000"),
                points.stream().map(p -> p.substring(0, 16)).toList());
        List<String> bySegment = new ArrayList<>();
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            for (int s = 0; s < 4; s++) {
                String from = s == 0 ? null : points.get(s - 1);
                String to = s == 3 ? null : points.get(s);
                tx.readImages("m", "r1", from, to, 100).images().forEach(i -> bySegment.add(i.id()));
            }
        }
        assertEquals(ids, bySegment);
        assertThrows(IllegalArgumentException.class, () -> store.images("m", "r1", "abc", 3));
    }

    @Test
    void imagesAreListedPerRunAndPurgedPerRun() throws Exception {
        batch("r1", tx -> tx.db().delete("side", LongNode.valueOf(1)));
        batch("r2", tx -> {
            tx.db().delete("side", LongNode.valueOf(2));
            tx.db().insert("side", JSON.objectNode().put("id", 3).put("v", "three"));
        });
        List<ImagesOfRun> runs = store.imageRuns("m");
        assertEquals(List.of("r1", "r2"), runs.stream().map(ImagesOfRun::runId).toList());
        assertEquals(1, runs.get(0).rows());
        assertEquals("{\"id\":1,\"v\":\"one\"}".length(), runs.get(0).beforeBytes());
        assertEquals(2, runs.get(1).rows());
        assertTrue(runs.get(1).firstAt() > 0 && runs.get(1).lastAt() >= runs.get(1).firstAt());
        assertEquals(2, store.purgeImages("m", "r2"));
        assertEquals(0, store.purgeImages("m", "r2"));
        assertEquals(List.of("r1"), store.imageRuns("m").stream().map(ImagesOfRun::runId).toList());
        assertEquals(List.of(), store.imageRuns("other"));
    }

    @Test
    void aPurgeLargerThanOneTransactionDeletesInChunks() throws Exception {
        h2.exec("INSERT INTO keyway_images (migration, run_id, image_id, segment, table_name, doc_key, op, before_image,"
                + " after_hash) SELECT 'm', 'big', CAST(HASH('SHA-256', CAST(X AS VARCHAR)) AS BYTEA), 0, 't', X, 'update',"
                + " '{}', NULL FROM SYSTEM_RANGE(1, 25000)");
        assertEquals(25_000, store.purgeImages("m", "big"));
        assertEquals(0, h2.count("SELECT COUNT(*) FROM keyway_images"));
    }

    @Test
    void aRowInsertedWithAKeyTheDatabaseMakesIsImagedUnderThatKey() {
        batch("r1", tx -> tx.db().insert("gen", JSON.objectNode().put("v", 8)));
        RowImage image = images("r1").get(0);
        assertEquals(RowImage.Op.INSERT, image.op());
        assertEquals("\"PUBLIC\".\"gen\" 2", image.table() + " " + image.key());
        assertEquals(store.currentHash(image.table(), "2").orElseThrow(), image.afterHash());
    }
}
