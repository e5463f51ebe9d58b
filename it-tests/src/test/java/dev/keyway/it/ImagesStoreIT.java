package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagePage;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.Page;
import dev.keyway.store.RestoreOutcome;
import dev.keyway.store.RowImage;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Before-images ({@code keyway_images}, issue 19) on PostgreSQL and MariaDB through the store alone: a batch that keeps
 * them images every row it changes, by {@code patchAll} and through {@code ctx.db()} on other tables (an insert, a
 * delete, a composite key, typed columns), each after-hash equal to the hash of the row read later in another session
 * (on PostgreSQL one in another time zone) and different once the application changes the row; a rolled-back batch
 * and a replayed one write none; an undo walk restores every row but those the application changed since (the
 * conflicts), re-inserts the deleted and deletes the inserted, and restoring twice is restoring once.
 */
class ImagesStoreIT {

    private static final int ROWS = 1_000;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final TableWalk ITEMS = new TableWalk("items", null);

    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);
    private Sql sql;
    private boolean mariaDb;

    private Store open(TestDatabase.Kind kind) throws Exception {
        items.open(kind);
        sql = items.sql();
        mariaDb = sql.isMariaDb();
        sql.exec("CREATE TABLE \"audit\" (\"id\" BIGINT PRIMARY KEY, \"note\" VARCHAR(100))",
                "INSERT INTO \"audit\" VALUES (1, 'kept'), (2, 'to delete')",
                "CREATE TABLE \"pairs\" (\"a\" INT, \"b\" VARCHAR(10), \"v\" INT, PRIMARY KEY (\"a\", \"b\"))",
                "INSERT INTO \"pairs\" VALUES (1, 'x', 0), (2, 'y', 0)",
                "CREATE TABLE \"typed\" (\"id\" BIGINT PRIMARY KEY, \"at\" " + (mariaDb ? "TIMESTAMP(6) NULL" : "TIMESTAMPTZ")
                        + ", \"local\" " + (mariaDb ? "DATETIME(6)" : "TIMESTAMP") + ", \"amount\" DECIMAL(14,4), \"rate\""
                        + " DOUBLE PRECISION, \"doc\" " + (mariaDb ? "JSON" : "JSONB") + ", \"raw\" JSON, \"bytes\" "
                        + (mariaDb ? "VARBINARY(8)" : "BYTEA") + ", \"token\" UUID, \"counter\" INT NOT NULL DEFAULT 0)",
                "INSERT INTO \"typed\" VALUES (1, " + (mariaDb ? "TIMESTAMP '2026-01-02 01:04:05.123456'"
                        : "TIMESTAMPTZ '2026-01-02 03:04:05.123456+02'") + ", TIMESTAMP '2026-01-02 03:04:05.5', 4.9000, 0.1,"
                        + " '{\"b\": [1, 2.50], \"a\": \"é\"}', '{\"z\": 1, \"y\": 1.0}', " + (mariaDb ? "X'00ff'" : "'\\x00ff'")
                        + ", '123e4567-e89b-12d3-a456-426614174000', 0)");
        Store store = Store.open(items.options());
        store.ensureBookkeeping();
        return store;
    }

    /**
     * The hash of each image's row as another store reads it now, whose sessions on PostgreSQL are in another time zone
     * (the driver sets the session's from the JVM's; MariaDB's store sessions are always UTC).
     */
    private Map<String, Optional<String>> hashesElsewhere(List<RowImage> images) {
        TimeZone zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
        try (Store later = Store.open(items.options())) {
            Map<String, Optional<String>> hashes = new LinkedHashMap<>();
            images.forEach(i -> hashes.put(i.id(), later.currentHash(i.table(), i.key())));
            return hashes;
        } finally {
            TimeZone.setDefault(zone);
        }
    }

    private static BatchKey key(String run, String cursor) {
        return new BatchKey("images", run, 0, cursor);
    }

    /** One batch of {@code size} items after {@code cursor}, counter + 1, with images; returns the page. */
    private static Page plusOne(BatchTransaction tx, String run, String cursor, int size) {
        tx.keepImages(key(run, cursor));
        Page page = tx.readPage(cursor, null, size);
        Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
        page.documents().forEach(d -> patches.put(d.get("id"), JSON.objectNode().put("counter", d.get("counter").asInt() + 1)));
        tx.patchAll(patches);
        return page;
    }

    /** What the migration does besides: an insert, a delete, a composite key and a typed row through ctx.db(). */
    private void sideWrites(BatchTransaction tx) {
        tx.db().insert("audit", JSON.objectNode().put("id", 100).put("note", "inserted"));
        tx.db().delete("audit", LongNode.valueOf(2));
        tx.db().patch("pairs", JSON.arrayNode().add(2).add("y"), JSON.objectNode().put("v", 7));
        ObjectNode typed = JSON.objectNode().put("amount", 5.25).put("rate", 0.3)
                .put("at", "2026-03-04T05:06:07.000001" + (mariaDb ? "" : "Z"))
                .put("counter", 1);
        typed.set("doc", JSON.objectNode().put("new", true));
        tx.db().patch("typed", LongNode.valueOf(1), typed);
    }

    private static List<RowImage> images(Store store, String run) {
        List<RowImage> all = new ArrayList<>();
        String cursor = null;
        for (ImagePage page; !(page = store.images("images", run, cursor, 97)).images().isEmpty(); ) {
            all.addAll(page.images());
            cursor = page.nextCursor();
        }
        return all;
    }

    private static RowImage image(List<RowImage> images, String table, String key) {
        return images.stream().filter(i -> i.table().endsWith("\"" + table + "\"") && i.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no image of " + table + " " + key + " in " + images.size()));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aBatchImagesEveryRowItChangesAndEachAfterHashIsTheRowAsReadLater(TestDatabase.Kind kind) throws Exception {
        try (Store store = open(kind)) {
            try (BatchTransaction tx = store.begin(ITEMS)) {
                plusOne(tx, "r1", null, 100);
                sideWrites(tx);
                tx.commit();
            }
            List<RowImage> images = images(store, "r1");
            assertEquals(104, images.size());
            assertEquals(images.stream().map(RowImage::id).sorted().toList(), images.stream().map(RowImage::id).toList());
            RowImage item = image(images, "items", "7");
            assertEquals(RowImage.Op.UPDATE, item.op());
            assertEquals("{\"id\":7,\"counter\":0,\"category\":\"other\",\"note\":\"note 7\"}", item.before());
            RowImage inserted = image(images, "audit", "100");
            assertEquals(RowImage.Op.INSERT, inserted.op());
            assertNull(inserted.before());
            RowImage deleted = image(images, "audit", "2");
            assertEquals(RowImage.Op.DELETE, deleted.op());
            assertEquals("{\"id\":2,\"note\":\"to delete\"}", deleted.before());
            assertNull(deleted.afterHash());
            assertEquals("{\"a\":2,\"b\":\"y\",\"v\":0}", image(images, "pairs", "[2,\"y\"]").before());
            RowImage typed = image(images, "typed", "1");
            // a point in time: in UTC with a Z on PostgreSQL; on MariaDB a TIMESTAMP read in the session's zone, UTC
            assertTrue(typed.before().contains("\"at\":\"2026-01-02T01:04:05.123456" + (mariaDb ? "\"" : "Z\"")),
                    typed.before());
            assertTrue(typed.before().contains("\"amount\":4.9000"), typed.before());
            // read later, in other sessions: the same hash for every row, none for the deleted one
            Map<String, Optional<String>> later = hashesElsewhere(images);
            for (RowImage image : images) {
                assertEquals(Optional.ofNullable(image.afterHash()), later.get(image.id()), image.table() + " " + image.key());
            }
            // the application changes rows since: their hashes change
            sql.exec("UPDATE \"items\" SET \"note\" = 'app' WHERE \"id\" = 7",
                    "UPDATE \"typed\" SET \"raw\" = '{\"z\": 2, \"y\": 1.0}' WHERE \"id\" = 1",
                    "UPDATE \"pairs\" SET \"v\" = 8 WHERE \"a\" = 2",
                    "INSERT INTO \"audit\" VALUES (2, 'back')");
            RowImage pair = image(images, "pairs", "[2,\"y\"]");
            later = hashesElsewhere(List.of(item, typed, pair, deleted, inserted));
            for (RowImage changed : List.of(item, typed, pair, deleted)) {
                assertNotEquals(Optional.ofNullable(changed.afterHash()), later.get(changed.id()),
                        changed.table() + " " + changed.key());
            }
            assertEquals(Optional.of(inserted.afterHash()), later.get(inserted.id()));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRolledBackBatchAndAReplayedOneWriteNoImages(TestDatabase.Kind kind) throws Exception {
        try (Store store = open(kind)) {
            try (BatchTransaction tx = store.begin(ITEMS)) {
                plusOne(tx, "r1", null, 100);
                sideWrites(tx);
                // closed without a commit: rolled back
            }
            assertEquals(0, sql.count("SELECT COUNT(*) FROM keyway_images"));
            LedgerEntry entry = new LedgerEntry(key("r1", null), "[50]", 50, false, 0);
            try (BatchTransaction tx = store.begin(ITEMS)) {
                plusOne(tx, "r1", null, 50);
                assertTrue(tx.recordLedger(entry));
                tx.commit();
            }
            List<RowImage> first = images(store, "r1");
            assertEquals(50, first.size());
            // the same batch again (another worker's, or a redelivered task): the ledger refuses it and it rolls back
            try (BatchTransaction tx = store.begin(ITEMS)) {
                plusOne(tx, "r1", null, 50);
                sideWrites(tx);
                assertFalse(tx.recordLedger(entry));
            }
            assertEquals(first, images(store, "r1"));
            assertEquals(ROWS - 50, sql.itemsNotAt(1)); // the first 50 once, the rest not at all
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anUndoRestoresEveryRowButThoseTheApplicationChangedSince(TestDatabase.Kind kind) throws Exception {
        try (Store store = open(kind)) {
            String cursor = null;
            int batches = 0;
            for (boolean last = false; !last; batches++) {
                try (BatchTransaction tx = store.begin(ITEMS)) {
                    Page page = plusOne(tx, "r1", cursor, 100);
                    if (batches == 0) {
                        sideWrites(tx);
                    }
                    tx.db().insert("audit", JSON.objectNode().put("id", 1_000 + batches).put("note", "batch"));
                    tx.commit();
                    cursor = page.nextCursor();
                    last = page.last();
                }
            }
            assertEquals(11, batches); // ten pages of 100, and an empty one that finds the end
            assertEquals(0, sql.itemsNotAt(1));
            Set<String> changedSince = new TreeSet<>(List.of("3", "250", "999", "1000"));
            sql.exec("UPDATE \"items\" SET \"counter\" = 42 WHERE \"id\" IN (" + String.join(", ", changedSince) + ")");
            Map<RestoreOutcome, List<String>> outcomes = undo(store, false);
            assertEquals(changedSince, new TreeSet<>(outcomes.get(RestoreOutcome.CONFLICT)));
            assertEquals(ROWS - changedSince.size() + 4 + 11, outcomes.get(RestoreOutcome.RESTORED).size());
            assertEquals(changedSince.size(), sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 42"));
            assertEquals(ROWS - changedSince.size(), sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 0"));
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" <> 'note ' || \"id\""
                    .replace("'note ' || \"id\"", mariaDb ? "CONCAT('note ', \"id\")" : "'note ' || \"id\"")));
            assertEquals(2, sql.count("SELECT COUNT(*) FROM \"audit\""));
            assertEquals(1, sql.count("SELECT COUNT(*) FROM \"audit\" WHERE \"id\" = 2 AND \"note\" = 'to delete'"));
            assertEquals(0, sql.count("SELECT \"v\" FROM \"pairs\" WHERE \"a\" = 2"));
            assertEquals(1, sql.count("SELECT COUNT(*) FROM \"typed\" WHERE \"amount\" = 4.9 AND \"counter\" = 0"
                    + " AND \"rate\" = 0.1 AND \"doc\" IS NOT NULL AND \"at\" = " + (mariaDb
                    ? "TIMESTAMP '2026-01-02 01:04:05.123456'" : "TIMESTAMPTZ '2026-01-02 03:04:05.123456+02'")));
            // again (a replayed undo batch): nothing more is written, the conflicts stay conflicts
            Map<RestoreOutcome, List<String>> again = undo(store, false);
            assertEquals(changedSince, new TreeSet<>(again.get(RestoreOutcome.CONFLICT)));
            // forced, the conflicts are overwritten too
            Map<RestoreOutcome, List<String>> forced = undo(store, true);
            assertEquals(changedSince, new TreeSet<>(forced.get(RestoreOutcome.FORCED)));
            assertEquals(ROWS, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 0"));

            List<ImagesOfRun> runs = store.imageRuns("images");
            assertEquals(1, runs.size());
            assertEquals(ROWS + 4 + 11, runs.get(0).rows());
            assertTrue(runs.get(0).beforeBytes() > ROWS * 50L, runs.toString());
            assertEquals(ROWS + 4 + 11, store.purgeImages("images", "r1"));
            assertEquals(List.of(), store.imageRuns("images"));
        }
    }

    /** Walks the run's images in 4 segments of pages of 100, each page restored in one transaction; outcomes by key. */
    private static Map<RestoreOutcome, List<String>> undo(Store store, boolean force) {
        Map<RestoreOutcome, List<String>> outcomes = new LinkedHashMap<>();
        for (RestoreOutcome o : RestoreOutcome.values()) {
            outcomes.put(o, new ArrayList<>());
        }
        List<String> points = RowImage.splitPoints(4);
        for (int segment = 0; segment < 4; segment++) {
            String cursor = segment == 0 ? null : points.get(segment - 1);
            String end = segment == 3 ? null : points.get(segment);
            for (boolean last = false; !last; ) {
                try (BatchTransaction tx = store.begin(ITEMS)) {
                    ImagePage page = tx.readImages("images", "r1", cursor, end, 100);
                    for (RowImage image : page.images()) {
                        outcomes.get(tx.restore(image, force)).add(image.table().endsWith("\"items\"") ? image.key()
                                : image.table() + " " + image.key());
                    }
                    tx.commit();
                    cursor = page.nextCursor();
                    last = page.last();
                }
            }
        }
        return outcomes;
    }
}
