package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's column types through the real coordinator and workers, on a table like Pagila's {@code film}: an
 * enum, domains over integer and text, arrays (with NULL elements, empty, two-dimensional), tsvector, numeric
 * (scale, 35 digits, NaN, infinities), json and jsonb, timestamptz (microseconds, infinities), timestamp, date
 * (BC, infinity), interval, bytea (zero bytes), uuid, money, inet and point. Every run also adds 1 to
 * {@code counter}, which must end at exactly 1 per run on every row; every other column is checked in SQL
 * against a copy of the table taken before the run.
 */
class ColumnTypesIT {

    /** The columns checked after each run: all but the key and the counter. */
    private static final List<String> COLUMNS = List.of("title", "description", "release_year", "rental_rate",
            "replacement_cost", "rating", "special_features", "scores", "prices", "grid", "fulltext", "meta", "raw",
            "last_update", "released", "shown_at", "length", "poster", "uid", "price", "addr", "spot", "ratings", "times",
            "blobs", "docs");
    private static final int GENERATED_ROWS = 40;

    private TestDatabase db;
    private Sql sql;
    private ServiceHarness harness;

    @BeforeEach
    void loadFilms() throws Exception {
        db = TestDatabase.postgres();
        sql = new Sql(Sql.options(db));
        sql.exec("CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17')",
                "CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155)",
                "CREATE DOMAIN title_text AS text CHECK (length(VALUE) <= 255)",
                "CREATE TABLE film (film_id integer PRIMARY KEY, title title_text NOT NULL, description text,"
                        + " release_year year, rental_rate numeric(4,2), replacement_cost numeric, rating mpaa_rating,"
                        + " special_features text[], scores integer[], prices numeric[], grid integer[][],"
                        + " fulltext tsvector, meta jsonb, raw json, last_update timestamptz, released date,"
                        + " shown_at timestamp, length interval, poster bytea, uid uuid, price money, addr inet,"
                        + " spot point, counter integer NOT NULL DEFAULT 0, ratings mpaa_rating[], times timestamptz[],"
                        + " blobs bytea[], docs jsonb[])",
                // ordinary rows, every column set
                "INSERT INTO film SELECT g, 'FILM ' || g, 'A story of ' || g, 1990 + g % 30, (g % 5) + 0.99,"
                        + " g * 1.10, (ARRAY['G','PG','PG-13','R','NC-17'])[1 + g % 5]::mpaa_rating,"
                        + " ARRAY['Trailers', 'Deleted Scenes'], ARRAY[g, g * 2], ARRAY[g + 0.50, 2.00],"
                        + " ARRAY[[g, g + 1], [g + 2, g + 3]], to_tsvector('english', 'film number ' || g || ' drama'),"
                        + " jsonb_build_object('n', g, 'tags', jsonb_build_array('x', g * 1.5)), ('{\"g\":' || g || '}')::json,"
                        + " timestamptz '2024-02-29 12:34:56.789012+00' + g * interval '1 hour 1 microsecond',"
                        + " date '2006-02-15' + g, timestamp '2006-02-15 09:00:00' + g * interval '90 seconds',"
                        + " g * interval '1 day 2 minutes', decode(lpad(to_hex(g), 2, '0') || '00ff', 'hex'),"
                        + " md5('film' || g)::uuid, g * 1.25, ('10.0.0.' || g)::inet, point(g, -g), 0"
                        + " FROM generate_series(1, " + GENERATED_ROWS + ") g",
                // a row of NULLs
                "INSERT INTO film (film_id, title) VALUES (1001, 'EMPTY')",
                // edge values
                "INSERT INTO film VALUES (1002, 'Amélie – 東京 🎬 \"quoted\" \\back', 'tab\there, newline\nthere',"
                        + " 2155, 4.90, 123456789012345678901234567890.123456789012345, 'NC-17',"
                        + " ARRAY[]::text[], ARRAY[NULL, 1]::integer[], ARRAY[1.50, NULL, -0.000001]::numeric[],"
                        + " '{{1,NULL},{NULL,4}}', '', '{\"a\":{\"b\":[1,2.50,{\"c\":null}]},\"s\":\"x\\u00e9\",\"e\":[]}',"
                        + " '{\"k\":[1,2.50],\"n\":null}', 'infinity', 'infinity', '294276-12-31 23:59:59.999999',"
                        + " '-1 days +02:03:04.5', '\\x00', '00000000-0000-0000-0000-000000000000', '-$0.01',"
                        + " '::1/128', '(0.5,-1e-7)', 0)",
                "INSERT INTO film VALUES (1003, 'NULL', '', 1901, 0.00, 'NaN', 'G',"
                        + " ARRAY['NULL', NULL, '', ' spaced ', 'a,b', '{braces}', 'quote\"d', 'back\\slash'],"
                        + " ARRAY[]::integer[], ARRAY['NaN', 1e30, 0.10]::numeric[], NULL, 'a:1 b:2 c:3', '\"just a string\"',"
                        + " '[1,\"two\",3.0]', '-infinity', '0044-03-15 BC', '1999-12-31 23:59:59.000001',"
                        + " '1 year 2 mons -3 days 04:05:06.000007', '\\x0000ff00', 'ffffffff-ffff-ffff-ffff-ffffffffffff',"
                        + " '$92233720368547758.07', '192.168.0.0/16', '(1e300,-1e300)', 0)",
                "INSERT INTO film (film_id, title, replacement_cost, meta, last_update, length, prices, special_features)"
                        + " VALUES (1004, 'minus', '-Infinity', '12345678901234567890.123456789', '1969-12-31 23:59:59.5-03:30',"
                        + " '-00:00:00.000001', ARRAY['Infinity', '-Infinity']::numeric[], ARRAY[NULL]::text[])",
                // arrays of an enum, of timestamps, of bytes and of JSON
                "UPDATE film SET ratings = ARRAY['G', 'R']::mpaa_rating[],"
                        + " times = ARRAY[timestamptz '2020-01-01 00:00:00.5+00' + film_id * interval '1 second', 'infinity'],"
                        + " blobs = ARRAY['\\x00'::bytea, decode('ff', 'hex'), ''::bytea],"
                        + " docs = ARRAY['{\"a\": [1, 2.50]}'::jsonb, '\"s\"', '3.0'] WHERE film_id <= " + GENERATED_ROWS,
                "UPDATE film SET ratings = ARRAY[NULL, 'PG-13']::mpaa_rating[], times = '{}', blobs = ARRAY[NULL]::bytea[],"
                        + " docs = ARRAY[NULL, '{}']::jsonb[] WHERE film_id = 1002",
                "CREATE TABLE film_before AS SELECT * FROM film");
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
        db.close();
    }

    @Test
    void aMigrationThatOnlyAddsOneToTheCounterLeavesEveryOtherColumnAsItWas() throws Exception {
        MigrationStatus done = run(Migration.define("plusOne", "film",
                (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1)));
        assertEquals(GENERATED_ROWS + 4, done.progress().processed());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film WHERE counter <> 1"));
        assertEquals(List.of(), changedColumns(Map.of()));
    }

    @Test
    void writingEveryValueOfTheDocumentBackLeavesEveryRowAsItWas() throws Exception {
        MigrationStatus done = run(Migration.define("writeBack", "film", (ctx, doc) -> {
            ObjectNode copy = doc.deepCopy();
            copy.put("counter", doc.get("counter").asInt() + 1);
            if (doc.get("film_id").asInt() % 2 == 0) {
                ctx.db().replace(ctx.table(), doc.get("film_id"), copy); // clears what the document leaves out
                return null;
            }
            return copy;
        }));
        assertEquals(GENERATED_ROWS + 4, done.progress().processed());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film WHERE counter <> 1"));
        assertEquals(List.of(), changedColumns(Map.of()));
    }

    @Test
    void aPatchOfEachTypedColumnWithAValueDerivedFromTheOldOneWritesThatValue() throws Exception {
        MigrationStatus done = run(Migration.define("derive", "film", ColumnTypesIT::derive));
        assertEquals(GENERATED_ROWS + 4, done.progress().processed());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film WHERE counter <> 1"));
        // what derive() writes, computed by PostgreSQL from the copy taken before
        Map<String, String> expected = Map.ofEntries(
                Map.entry("title", "(b.title || ' (restored)')::title_text"),
                Map.entry("description", "b.description || ' ✓'"),
                Map.entry("release_year", "CASE b.release_year WHEN 2155 THEN 1901 ELSE b.release_year + 1 END"),
                Map.entry("rental_rate", "b.rental_rate + 1.01"),
                Map.entry("replacement_cost", "b.replacement_cost * 2"),
                Map.entry("rating", unlessNull("rating", "CASE b.rating WHEN 'NC-17' THEN 'G' ELSE (enum_range(b.rating, NULL))[2] END")),
                Map.entry("special_features", unlessNull("special_features", "array_append(b.special_features, 'Behind, the \"Scenes\"')")),
                Map.entry("scores", unlessNull("scores", "array_append(b.scores, NULL)")),
                Map.entry("prices", unlessNull("prices", "array_append(b.prices, 0.10)")),
                Map.entry("grid", "CASE WHEN b.grid IS NULL THEN NULL ELSE ARRAY[[b.grid[2][1], b.grid[2][2]],"
                        + " [b.grid[1][1], b.grid[1][2]]] END"),
                Map.entry("fulltext", "COALESCE(b.fulltext || 'added'::tsvector, 'added'::tsvector)"),
                Map.entry("meta", "COALESCE(b.meta || '{\"seen\": true}', '{\"seen\": true}')"),
                Map.entry("last_update", "b.last_update + interval '1 day 1 microsecond'"),
                Map.entry("released", "CASE WHEN isfinite(b.released) AND b.released > date '0001-01-01'"
                        + " THEN b.released + 1 ELSE b.released END"),
                Map.entry("shown_at", "CASE WHEN b.shown_at < timestamp '9999-01-01' THEN b.shown_at + interval '1 hour'"
                        + " ELSE b.shown_at END"),
                Map.entry("length", "-b.length"),
                Map.entry("poster", "COALESCE(b.poster || '\\xff'::bytea, '\\xff'::bytea)"),
                Map.entry("uid", "('00000000' || substr(b.uid::text, 9))::uuid"));
        assertEquals(List.of(), changedColumns(expected));
        // a few values spelled out, so the check above does not only compare PostgreSQL with itself
        assertEquals("5.91|246913578024691357802469135780.246913578024690|{\"Behind, the \\\"Scenes\\\"\"}|\\x00ff",
                text("SELECT concat_ws('|', rental_rate, replacement_cost, special_features, poster) FROM film"
                        + " WHERE film_id = 1002"));
        assertEquals("NaN|{NaN,1000000000000000000000000000000,0.10,0.10}|{NULL}|PG",
                text("SELECT concat_ws('|', replacement_cost, prices, scores, rating) FROM film WHERE film_id = 1003"));
        assertEquals("1970-01-02 03:29:59.500001|00:00:00.000001",
                text("SELECT concat_ws('|', last_update AT TIME ZONE 'UTC', length) FROM film WHERE film_id = 1004"));
    }

    /** The value each typed column gets in {@link #aPatchOfEachTypedColumnWithAValueDerivedFromTheOldOneWritesThatValue}. */
    private static ObjectNode derive(dev.keyway.migration.MigrationContext ctx, ObjectNode doc) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode patch = ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
        patch.put("title", doc.get("title").asText() + " (restored)");
        if (doc.has("description")) {
            patch.put("description", doc.get("description").asText() + " ✓");
        }
        if (doc.has("release_year")) {
            int year = doc.get("release_year").asInt();
            patch.put("release_year", year == 2155 ? 1901 : year + 1); // the domain allows 1901..2155
        }
        if (doc.has("rental_rate")) {
            patch.set("rental_rate", DecimalNode.valueOf(doc.get("rental_rate").decimalValue().add(new BigDecimal("1.01"))));
        }
        JsonNode cost = doc.get("replacement_cost");
        if (cost != null) {
            // NaN and the infinities are text, and twice themselves
            patch.set("replacement_cost", cost.isNumber()
                    ? DecimalNode.valueOf(cost.decimalValue().multiply(BigDecimal.valueOf(2))) : cost);
        }
        if (doc.has("rating")) {
            List<String> labels = List.of("G", "PG", "PG-13", "R", "NC-17");
            patch.put("rating", labels.get((labels.indexOf(doc.get("rating").asText()) + 1) % labels.size()));
        }
        if (doc.has("special_features")) {
            patch.set("special_features", ((ArrayNode) doc.get("special_features").deepCopy()).add("Behind, the \"Scenes\""));
        }
        if (doc.has("scores")) {
            patch.set("scores", ((ArrayNode) doc.get("scores").deepCopy()).addNull());
        }
        if (doc.has("prices")) {
            patch.set("prices", ((ArrayNode) doc.get("prices").deepCopy()).add(new BigDecimal("0.10")));
        }
        if (doc.has("grid")) {
            JsonNode grid = doc.get("grid");
            patch.set("grid", json.arrayNode().add(grid.get(1)).add(grid.get(0)));
        }
        patch.put("fulltext", doc.path("fulltext").asText("") + " 'added'");
        JsonNode meta = doc.get("meta");
        ObjectNode seen = json.objectNode().put("seen", true);
        if (meta == null) {
            patch.set("meta", seen);
        } else if (meta.isObject()) {
            patch.set("meta", ((ObjectNode) meta.deepCopy()).put("seen", true));
        } else if (meta.isArray()) {
            patch.set("meta", ((ArrayNode) meta.deepCopy()).add(seen));
        } else {
            patch.set("meta", json.arrayNode().add(meta).add(seen)); // as jsonb's || puts a scalar and an object
        }
        String at = doc.path("last_update").asText("");
        if (at.endsWith("Z")) {
            patch.put("last_update", Instant.parse(at).plus(Duration.ofDays(1)).plusNanos(1_000).toString());
        }
        String released = doc.path("released").asText("");
        if (released.matches("\\d{4}-\\d{2}-\\d{2}")) {
            patch.put("released", LocalDate.parse(released).plusDays(1).toString());
        }
        String shown = doc.path("shown_at").asText("");
        if (shown.matches("\\d{4}-.*")) {
            patch.put("shown_at", LocalDateTime.parse(shown).plusHours(1).toString());
        }
        if (doc.has("length")) {
            patch.put("length", doc.get("length").asText() + " ago"); // PostgreSQL reads "... ago" as the negation
        }
        if (doc.has("poster")) {
            patch.put("poster", doc.get("poster").asText() + "ff");
        } else {
            patch.put("poster", "\\xff");
        }
        if (doc.has("uid")) {
            patch.put("uid", "00000000" + doc.get("uid").asText().substring(8));
        }
        return patch;
    }

    @Test
    void aValueTheColumnCannotTakeFailsTheRunNamingTheDocumentTheColumnAndTheValue() throws Exception {
        MigrateOne notAUuid = (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1)
                .put("uid", doc.get("film_id").asInt() == 1003 ? "not-a-uuid" : doc.path("uid").asText(null));
        MigrateOne arrayForAnEnum = (ctx, doc) -> {
            ObjectNode patch = ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
            if (doc.get("film_id").asInt() == 1002) {
                patch.set("rating", JsonNodeFactory.instance.arrayNode().add("G"));
            }
            return patch;
        };
        MigrateOne pastTheDomain = (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1)
                .put("release_year", doc.get("film_id").asInt() == 1003 ? 1900 : doc.path("release_year").asInt(2000));
        start(Migration.define("notAUuid", "film", notAUuid), Migration.define("arrayForAnEnum", "film", arrayForAnEnum),
                Migration.define("pastTheDomain", "film", pastTheDomain));

        // each run fails on the document, and the batch that held it rolled back: the row is as it was
        String before = row(1003, "uid");
        assertFailedOn(harness.runToEnd(Command.Run.of("notAUuid")), "1003", "not-a-uuid", "22P02", "uuid");
        assertEquals(before, row(1003, "uid"));
        before = row(1002, "rating");
        assertFailedOn(harness.runToEnd(Command.Run.of("arrayForAnEnum")), "1002", "[\"G\"]",
                "\"rating\" (mpaa_rating)", "not an array");
        assertEquals(before, row(1002, "rating"));
        before = row(1003, "release_year");
        assertFailedOn(harness.runToEnd(Command.Run.of("pastTheDomain")), "1003", "1900", "23514", "year_check");
        assertEquals(before, row(1003, "release_year"));
    }

    /** Where derive() leaves a NULL column alone. */
    private static String unlessNull(String column, String expression) {
        return "CASE WHEN b." + column + " IS NULL THEN NULL ELSE " + expression + " END";
    }

    /** The film's counter and one column, as text. */
    private String row(int filmId, String column) throws Exception {
        return text("SELECT counter || '|' || COALESCE(" + column + "::text, 'NULL') FROM film WHERE film_id = " + filmId);
    }

    private static void assertFailedOn(MigrationStatus s, String documentId, String... inError) {
        assertEquals(MigrationState.FAILED, s.state(), s.toString());
        for (String part : inError) {
            assertTrue(s.failure().error().contains(part), "'" + part + "' not in: " + s.failure().error());
        }
        assertTrue(s.failure().error().contains("film_id=" + documentId), s.failure().error());
        assertEquals(documentId, s.failure().batch().documentId(), s.toString());
    }

    private void start(Migration... migrations) {
        List<Migration> small = new ArrayList<>();
        for (Migration m : migrations) {
            small.add(m.withBatchSize(3).withSegments(2)); // many batches: statements prepared on the server too
        }
        harness = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                MigrationCatalog.of(small), 2);
    }

    private MigrationStatus run(Migration m) {
        start(m);
        MigrationStatus done = harness.runToEnd(Command.Run.of(m.name()));
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        return done;
    }

    /**
     * The columns (with the first row that differs) whose value is not the expected one on some row: by default
     * the value in the copy taken before ({@code b.column}), else the given SQL over {@code b}. Compared as text,
     * so 4.9 is not 4.90 and a moved time zone is not the same text; json (which keeps its text) as its text too.
     */
    private List<String> changedColumns(Map<String, String> expected) throws Exception {
        List<String> changed = new ArrayList<>();
        try (Connection c = sql.connect(); Statement st = c.createStatement()) {
            for (String col : COLUMNS) {
                String want = expected.getOrDefault(col, "b." + col);
                String q = "SELECT f.film_id, f." + col + "::text, (" + want + ")::text FROM film f JOIN film_before b"
                        + " USING (film_id) WHERE f." + col + "::text IS DISTINCT FROM (" + want + ")::text"
                        + " ORDER BY f.film_id LIMIT 1";
                try (ResultSet rs = st.executeQuery(q)) {
                    if (rs.next()) {
                        changed.add(col + " of film " + rs.getInt(1) + ": " + rs.getString(2) + " instead of "
                                + rs.getString(3));
                    }
                }
            }
        }
        return changed;
    }

    private String text(String query) throws Exception {
        try (Connection c = sql.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            assertTrue(rs.next(), query);
            String s = rs.getString(1);
            assertNotNull(s, query);
            return s;
        }
    }
}
