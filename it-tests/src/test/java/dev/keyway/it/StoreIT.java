package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.Db;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.Page;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import dev.keyway.store.TableWalk;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store on the databases it supports: PostgreSQL and MariaDB (production) and H2 (the embedded default). The
 * tables are made with each database's own name for a timestamp with time zone ({@link #instantType}).
 */
class StoreIT {

    @TempDir
    static Path h2Dir;

    /** More pages than any walk of these tests takes. */
    private static final int MAX_PAGES = 1_000;

    static Stream<String> databases() {
        return Stream.of("postgres", "mariadb", "h2");
    }

    /**
     * A point in time, and a literal of one: MariaDB has no {@code TIMESTAMP WITH TIME ZONE}; its {@code TIMESTAMP} is
     * an instant read and written in the session's zone (UTC, for the store and the tests).
     */
    private static String instantType(String kind) {
        return kind.equals("mariadb") ? "TIMESTAMP(6) NULL" : "TIMESTAMP WITH TIME ZONE";
    }

    private static String instant(String kind, String utc) {
        return kind.equals("mariadb") ? "TIMESTAMP '" + utc + "'" : "TIMESTAMP WITH TIME ZONE '" + utc + "+00'";
    }

    /** A wall-clock time: on MariaDB a {@code DATETIME} (a {@code TIMESTAMP} there is an instant, and updates itself). */
    private static String localType(String kind) {
        return kind.equals("mariadb") ? "DATETIME(6)" : "TIMESTAMP";
    }

    private static TestDatabase open(String kind) {
        return TestDatabase.of(kind, h2Dir);
    }

    private static List<String> walk(Store store, TableWalk walk, String key, int pageSize) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; ; pages++) {
            // a cursor that does not move on (a key read back inexactly) would walk the same page forever
            assertTrue(pages < MAX_PAGES, "the walk never ends; it is stuck at cursor " + cursor + " after " + seen);
            try (BatchTransaction tx = store.begin(walk)) {
                Page page = tx.readPage(cursor, null, pageSize);
                page.documents().forEach(d -> seen.add(d.get(key).asText()));
                if (page.last()) {
                    return seen;
                }
                cursor = page.nextCursor();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void pagesThroughIntegerTextAndUuidKeysInKeyOrder(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.exec("CREATE TABLE \"ints\" (\"id\" BIGINT PRIMARY KEY, \"v\" INT)",
                    "CREATE TABLE \"texts\" (\"code\" VARCHAR(20) PRIMARY KEY, \"v\" INT)",
                    "CREATE TABLE \"uuids\" (\"id\" UUID PRIMARY KEY, \"v\" INT)");
            List<String> ints = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            List<String> uuids = new ArrayList<>();
            try (Connection c = sql.connect(); Statement st = c.createStatement()) {
                for (int i = 1; i <= 23; i++) {
                    String u = UUID.randomUUID().toString();
                    st.execute("INSERT INTO \"ints\" VALUES (" + (i * 3) + ", 0)");
                    st.execute("INSERT INTO \"texts\" VALUES ('k" + i + "', 0)");
                    st.execute("INSERT INTO \"uuids\" VALUES ('" + u + "', 0)");
                    ints.add(String.valueOf(i * 3));
                    texts.add("k" + i);
                    uuids.add(u);
                }
            }
            texts.sort(null);
            assertEquals(ints, walk(store, new TableWalk("ints", null), "id", 5));
            assertEquals(texts, walk(store, new TableWalk("texts", null), "code", 4));
            assertEquals(23, walk(store, new TableWalk("uuids", null), "id", 6).size());
            assertEquals(uuids.stream().sorted().toList(), walk(store, new TableWalk("uuids", null), "id", 6).stream()
                    .sorted().toList());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void walksACustomRangeInIndexOrderAndSplitsItIntoSegments(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            new Sql(Sql.options(db)).items(100);
            TableWalk range = new TableWalk("items", CustomRange.between("note", "note 5", "note 7"));
            List<String> ids = walk(store, range, "id", 7);
            assertEquals(23, ids.size(), "note 5, note 50..59, note 6, note 60..69, note 7: " + ids);
            assertEquals(List.of("5", "50"), ids.subList(0, 2));

            TableWalk all = new TableWalk("items", null);
            assertEquals(List.of("[25]", "[50]", "[75]"), store.splitPoints(all, store.countRows(all), 4));
            assertEquals(10, walk(store, new TableWalk("items", CustomRange.eq("category", "tenth")), "id", 3).size());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aNumericKeyWithMoreDigitsThanADoubleHoldsRoundTripsThroughCursorsAndSplitPoints(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            List<String> keys = List.of("0.0000000001", "12345678901234567890.0000000001", "12345678901234567890.0000000002",
                    "12345678901234567890.0000000003", "12345678901234567891.0000000000");
            sql.exec("CREATE TABLE \"exact\" (\"id\" NUMERIC(30,10) PRIMARY KEY, \"v\" INT)");
            for (String k : keys) {
                sql.exec("INSERT INTO \"exact\" VALUES (" + k + ", 0)");
            }
            TableWalk all = new TableWalk("exact", null);
            List<java.math.BigDecimal> seen = walk(store, all, "id", 1).stream().map(java.math.BigDecimal::new).toList();
            assertEquals(keys.stream().map(java.math.BigDecimal::new).toList(), seen, "each key once, in order, batch size 1");
            List<String> points = store.splitPoints(all, store.countRows(all), 5);
            assertEquals(4, points.size(), points.toString());
            for (int i = 0; i < 4; i++) {
                assertEquals(0, new java.math.BigDecimal(keys.get(i)).compareTo(
                        new java.math.BigDecimal(points.get(i).replaceAll("[\\[\\]]", ""))), points.toString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCustomRangeBoundOfAnyJavaTypeAUserCanWriteSelectsExactlyItsRows(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.exec("CREATE TABLE \"typed\" (\"id\" BIGINT PRIMARY KEY, \"day\" DATE, \"at\" " + instantType(kind) + ","
                    + " \"token\" UUID, \"amount\" NUMERIC(30,10), \"flag\" BOOLEAN)");
            List<UUID> tokens = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                UUID u = new UUID(0, i);
                tokens.add(u);
                sql.exec("INSERT INTO \"typed\" VALUES (" + i + ", DATE '2024-01-" + String.format("%02d", i) + "',"
                        + " " + instant(kind, "2024-01-01 00:00:00") + " + INTERVAL '" + i + "' HOUR, '" + u + "',"
                        + " 12345678901234567890." + String.format("%010d", i) + ", " + (i % 2 == 0) + ")");
            }
            assertEquals(List.of("5", "6", "7"), walk(store, new TableWalk("typed", CustomRange.between("day",
                    java.time.LocalDate.of(2024, 1, 5), java.time.LocalDate.of(2024, 1, 7))), "id", 2));
            assertEquals(List.of("3", "4"), walk(store, new TableWalk("typed", CustomRange.between("at",
                    java.time.Instant.parse("2024-01-01T03:00:00Z"), java.time.Instant.parse("2024-01-01T04:00:00Z"))), "id", 2));
            assertEquals(List.of("9", "10", "11"), walk(store, new TableWalk("typed", CustomRange.between("token",
                    tokens.get(8), tokens.get(10))), "id", 2));
            assertEquals(List.of("2", "3"), walk(store, new TableWalk("typed", CustomRange.between("amount",
                    new java.math.BigDecimal("12345678901234567890.0000000002"),
                    new java.math.BigDecimal("12345678901234567890.0000000003"))), "id", 1));
            assertEquals(10, walk(store, new TableWalk("typed", CustomRange.eq("flag", true)), "id", 3).size());
            assertEquals(List.of("1", "2"), walk(store, new TableWalk("typed", CustomRange.between("id", 1, 2L)), "id", 1));
        }
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> CustomRange.between("day", new java.util.Date(), null));
        assertTrue(refused.getMessage().contains("java.util.Date") && refused.getMessage().contains("LocalDate"),
                refused.getMessage());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theOtherBoundTypesItTakesSelectExactlyTheirRowsToo(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.exec("CREATE TABLE \"more\" (\"id\" BIGINT PRIMARY KEY, \"local\" " + localType(kind) + ", \"at\" "
                    + instantType(kind) + ","
                    + " \"huge\" NUMERIC(40,0), \"ratio\" DOUBLE PRECISION, \"small\" SMALLINT)");
            for (int i = 1; i <= 20; i++) {
                sql.exec("INSERT INTO \"more\" VALUES (" + i + ", TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '" + i + "' MINUTE,"
                        + " " + instant(kind, "2024-01-01 00:00:00") + " + INTERVAL '" + i + "' HOUR,"
                        + " 1000000000000000000000000000000" + String.format("%02d", i) + ", " + (i / 4.0) + ", " + i + ")");
            }
            assertEquals(List.of("4", "5"), walk(store, new TableWalk("more", CustomRange.between("local",
                    java.time.LocalDateTime.of(2024, 1, 1, 0, 4), java.time.LocalDateTime.of(2024, 1, 1, 0, 5))), "id", 1));
            assertEquals(List.of("3", "4"), walk(store, new TableWalk("more", CustomRange.between("at",
                    java.time.OffsetDateTime.parse("2024-01-01T05:00+02:00"), java.time.OffsetDateTime.parse("2024-01-01T06:00+02:00"))),
                    "id", 1));
            assertEquals(List.of("19", "20"), walk(store, new TableWalk("more", CustomRange.between("huge",
                    new java.math.BigInteger("100000000000000000000000000000019"), null)), "id", 1));
            assertEquals(List.of("3", "4", "5"), walk(store, new TableWalk("more", CustomRange.between("ratio", 0.75, 1.25f)),
                    "id", 2));
            assertEquals(List.of("7", "8"), walk(store, new TableWalk("more", CustomRange.between("small", (short) 7, (byte) 8)),
                    "id", 1));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aPatchThatMovesARowAheadWithinTheRangeBringsItBackInALaterBatch(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.exec("CREATE TABLE \"ranked\" (\"id\" BIGINT PRIMARY KEY, \"grp\" INT NOT NULL)");
            for (int i = 1; i <= 6; i++) {
                sql.exec("INSERT INTO \"ranked\" VALUES (" + i + ", " + i + ")");
            }
            TableWalk range = new TableWalk("ranked", CustomRange.between("grp", 1, 100));
            String cursor;
            try (BatchTransaction tx = store.begin(range)) {
                Page first = tx.readPage(null, null, 2);
                // row 1 moves ahead inside the range, row 2 out of it
                tx.patchAll(Map.of(LongNode.valueOf(1), JsonNodeFactory.instance.objectNode().put("grp", 50),
                        LongNode.valueOf(2), JsonNodeFactory.instance.objectNode().put("grp", 500)));
                tx.commit();
                assertEquals("[2,2]", first.nextCursor(), "the cursor is the page as selected, not as patched");
                cursor = first.nextCursor();
            }
            List<String> rest = new ArrayList<>();
            try (BatchTransaction tx = store.begin(range)) {
                tx.readPage(cursor, null, 100).documents().forEach(d -> rest.add(d.get("id").asText()));
            }
            assertEquals(List.of("3", "4", "5", "6", "1"), rest);
        }
    }

    @Test
    void aRowTheApplicationMovesWhileTheBatchWaitsForItIsNotJumpedOver() throws Exception {
        try (TestDatabase db = TestDatabase.postgres(); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.exec("CREATE TABLE \"ranked\" (\"id\" BIGINT PRIMARY KEY, \"grp\" INT NOT NULL)",
                    "CREATE INDEX \"ranked_by_grp\" ON \"ranked\" (\"grp\", \"id\")",
                    "INSERT INTO \"ranked\" SELECT g, g FROM generate_series(1, 20) g");
            TableWalk range = new TableWalk("ranked", CustomRange.between("grp", 1, 100));
            Page first;
            try (Connection app = sql.connect(); Statement st = app.createStatement()) {
                app.setAutoCommit(false);
                // the application holds the page's last row, and moves it far ahead in the walk's order
                st.executeUpdate("UPDATE \"ranked\" SET \"grp\" = 50 WHERE \"id\" = 5");
                CompletableFuture<Page> batch = CompletableFuture.supplyAsync(() -> {
                    try (BatchTransaction tx = store.begin(range)) {
                        return tx.readPage(null, null, 5);
                    }
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (sql.count("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%FOR%UPDATE%' AND datname = current_database()") == 0) {
                    assertTrue(System.nanoTime() < deadline, "the batch never waited for the row");
                    Thread.onSpinWait();
                }
                app.commit();
                first = batch.get(20, TimeUnit.SECONDS);
            }
            assertEquals("[5,5]", first.nextCursor(), "the next cursor is the row as the page was selected");
            assertEquals(List.of("1", "2", "3", "4"), first.documents().stream().map(d -> d.get("id").asText()).toList(),
                    "the moved row is left to where it went");
            List<String> rest = new ArrayList<>();
            String cursor = first.nextCursor();
            while (true) {
                try (BatchTransaction tx = store.begin(range)) {
                    Page p = tx.readPage(cursor, null, 5);
                    p.documents().forEach(d -> rest.add(d.get("id").asText()));
                    if (p.last()) {
                        break;
                    }
                    cursor = p.nextCursor();
                }
            }
            assertEquals(16, rest.size(), "rows 6..20 and the moved row 5, each once: " + rest);
            assertEquals("5", rest.get(rest.size() - 1));
        }
    }

    @Test
    void splitsALargePostgresTableFromASampleIntoSegmentsOfAboutEqualRows() throws Exception {
        try (TestDatabase db = TestDatabase.postgres(); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            // skewed keys: 100k dense ids, then 50k ids far away; split points must follow the rows, not the values
            sql.exec("CREATE TABLE \"big\" (\"id\" BIGINT PRIMARY KEY, \"v\" INT)",
                    "INSERT INTO \"big\" SELECT g, 0 FROM generate_series(1, 100000) g",
                    "INSERT INTO \"big\" SELECT 1000000000 + g, 0 FROM generate_series(1, 50000) g",
                    "ANALYZE \"big\"");
            TableWalk all = new TableWalk("big", null);
            long rows = store.countRows(all);
            assertEquals(150_000, rows);
            List<String> points = store.splitPoints(all, rows, 12);
            assertEquals(11, points.size(), "points: " + points);
            List<Long> bounds = new ArrayList<>();
            bounds.add(0L);
            points.forEach(p -> bounds.add(Long.parseLong(p.replaceAll("[\\[\\]]", ""))));
            bounds.add(Long.MAX_VALUE);
            try (Connection c = sql.connect(); Statement st = c.createStatement()) {
                for (int i = 0; i + 1 < bounds.size(); i++) {
                    assertTrue(bounds.get(i) < bounds.get(i + 1), "ascending: " + points);
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"big\" WHERE \"id\" > " + bounds.get(i)
                            + " AND \"id\" <= " + bounds.get(i + 1))) {
                        rs.next();
                        long n = rs.getLong(1);
                        assertTrue(n > 12_500 * 0.6 && n < 12_500 * 1.4,
                                "segment " + i + " has " + n + " rows, about 12,500 expected; points " + points);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void patchesClearFieldsWithNullAndTheDbOffersGetQueryInsertReplaceDelete(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(10);
            JsonNodeFactory f = JsonNodeFactory.instance;
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                tx.patchAll(Map.of(LongNode.valueOf(1), f.objectNode().putNull("note").put("counter", 5)));
                Db d = tx.db();
                ObjectNode one = d.get("items", LongNode.valueOf(1)).orElseThrow();
                assertFalse(one.has("note"), "a NULL column is absent: " + one);
                assertEquals(5, one.get("counter").asInt());
                assertEquals(1, d.query("items").eq("category", "tenth").take(5).size());
                JsonNode id = d.insert("items", f.objectNode().put("id", 99).put("category", "new"));
                assertEquals(99, id.asLong());
                d.replace("items", id, f.objectNode().put("counter", 7));
                ObjectNode replaced = d.get("items", id).orElseThrow();
                assertFalse(replaced.has("category"), "replace clears what the new document lacks");
                d.delete("items", LongNode.valueOf(2));
                assertTrue(d.get("items", LongNode.valueOf(2)).isEmpty());
                tx.commit();
            }
            assertEquals(10, sql.count("SELECT COUNT(*) FROM \"items\""));
            assertEquals(2, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"note\" IS NULL"), "row 1 patched, row 99 replaced");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aPatchThatChangesThePrimaryKeyIsRefusedNamingTheTableTheDocumentAndTheColumn(String kind) throws Exception {
        try (TestDatabase db = open(kind); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(3);
            JsonNodeFactory f = JsonNodeFactory.instance;
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                Map<JsonNode, ObjectNode> patches = new java.util.LinkedHashMap<>();
                patches.put(LongNode.valueOf(1), f.objectNode().put("counter", 1));
                patches.put(LongNode.valueOf(2), f.objectNode().put("id", 2).put("counter", 1));
                patches.put(LongNode.valueOf(3), f.objectNode().put("id", 300).put("counter", 1));
                StoreException e = assertThrows(StoreException.class, () -> tx.patchAll(patches));
                assertFalse(StoreException.isRetriable(e), "running the batch again would change the key again");
                assertTrue(e.getMessage().contains("must not change the primary key") && e.getMessage().contains("items")
                        && e.getMessage().contains("id=3") && e.getMessage().contains("id=300"), e.getMessage());
                tx.commit();
            }
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" <> 0 OR \"id\" > 3"),
                    "no row of the batch was written, the unchanged key of row 2 included");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void namesTheTableWhenItIsMissingWithoutTheUrlsPassword(String kind) {
        try (TestDatabase db = open(kind)) {
            StoreOptions o = Sql.options(db);
            // PostgreSQL takes the password from the URL as well; the message must not show it
            String url = kind.equals("postgres") ? o.jdbcUrl() + "?password=" + o.password() : o.jdbcUrl();
            try (Store store = Store.open(StoreOptions.of(url, o.user(), o.password()))) {
                StoreException e = assertThrows(StoreException.class, () -> store.begin(new TableWalk("nope", null)));
                assertTrue(e.getMessage().contains("table \"nope\" not found"), e.getMessage());
                assertFalse(StoreException.isRetriable(e));
                if (kind.equals("postgres")) {
                    assertTrue(e.getMessage().contains("?password=***"), e.getMessage());
                    assertFalse(e.getMessage().contains("password=" + o.password()), e.getMessage());
                    assertFalse(store.describe().contains("password=" + o.password()), store.describe());
                }
            }
        }
    }
}
