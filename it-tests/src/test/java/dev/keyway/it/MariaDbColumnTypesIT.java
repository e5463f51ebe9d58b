package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MariaDB's column types through the real coordinator and workers (ColumnTypesIT is PostgreSQL's): JSON, ENUM, SET,
 * DECIMAL, DATETIME(6), TIMESTAMP(6), DATE, TIME, YEAR, BLOB, VARBINARY, BIT(1) and BIT(8), unsigned integers up to
 * BIGINT UNSIGNED's largest, UUID, and a VIRTUAL and a STORED generated column. Every run adds 1 to {@code counter},
 * which must end at exactly 1 on every row; every other column is compared as text against a copy taken before.
 */
class MariaDbColumnTypesIT {

    private static final List<String> COLUMNS = List.of("doc", "size", "colors", "price", "at_local", "at_instant",
            "day", "clock", "yr", "blob_data", "bytes", "flag", "bits", "small_u", "big_u", "token", "doubled", "total");
    private static final int ROWS = 30;

    private TestDatabase db;
    private Sql sql;
    private ServiceHarness harness;

    @BeforeEach
    void loadTheTable() throws Exception {
        db = TestDatabase.mariadb();
        sql = new Sql(Sql.options(db));
        sql.exec("CREATE TABLE \"typed\" (\"id\" BIGINT PRIMARY KEY, \"doc\" JSON, \"size\" ENUM('small', 'medium', 'large'),"
                        + " \"colors\" SET('red', 'green', 'blue'), \"price\" DECIMAL(20, 6), \"at_local\" DATETIME(6),"
                        + " \"at_instant\" TIMESTAMP(6) NULL, \"day\" DATE, \"clock\" TIME(6), \"yr\" YEAR, \"blob_data\" BLOB,"
                        + " \"bytes\" VARBINARY(16), \"flag\" BIT(1), \"bits\" BIT(8), \"small_u\" INT UNSIGNED,"
                        + " \"big_u\" BIGINT UNSIGNED, \"token\" UUID, \"counter\" INT NOT NULL DEFAULT 0,"
                        + " \"doubled\" BIGINT AS (\"small_u\" * 2) VIRTUAL, \"total\" DECIMAL(22, 6) AS (\"price\" * 2) STORED)",
                "INSERT INTO \"typed\" (\"id\", \"doc\", \"size\", \"colors\", \"price\", \"at_local\", \"at_instant\", \"day\","
                        + " \"clock\", \"yr\", \"blob_data\", \"bytes\", \"flag\", \"bits\", \"small_u\", \"big_u\", \"token\")"
                        + " SELECT seq, CONCAT('{\"n\": ', seq, ', \"tags\": [\"x\", ', seq * 1.5, '], \"s\": \"aé\"}'),"
                        + " ELT(1 + seq % 3, 'small', 'medium', 'large'), ELT(1 + seq % 4, '', 'red', 'green,blue', 'red,blue'),"
                        + " seq * 1.10 + 0.000001, TIMESTAMP '2024-02-29 12:34:56.789012' + INTERVAL seq HOUR,"
                        + " TIMESTAMP '2024-02-29 12:34:56.5' + INTERVAL seq MINUTE, DATE '2006-02-15' + INTERVAL seq DAY,"
                        + " SEC_TO_TIME(seq * 3600 + 0.25), 1990 + seq, UNHEX(CONCAT(LPAD(HEX(seq), 2, '0'), '00FF')),"
                        + " UNHEX('00'), seq % 2, seq, 4294967295 - seq, 18446744073709551615 - seq,"
                        + " CONCAT('123e4567-e89b-12d3-a456-4266141740', LPAD(seq, 2, '0')) FROM seq_1_to_" + ROWS,
                // a row of NULLs and a row of extremes
                "INSERT INTO \"typed\" (\"id\") VALUES (1001)",
                "INSERT INTO \"typed\" (\"id\", \"doc\", \"colors\", \"price\", \"small_u\", \"big_u\", \"blob_data\")"
                        + " VALUES (1002, '\"just a string\"', '', -99999999999999.999999, 0, 18446744073709551615, '')",
                "CREATE TABLE \"typed_before\" AS SELECT * FROM \"typed\"");
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
        MigrationStatus done = run(Migration.define("plusOne", "typed",
                (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1)));
        assertEquals(ROWS + 2, done.progress().processed());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM \"typed\" WHERE \"counter\" <> 1"));
        assertEquals(List.of(), changedColumns(false));
    }

    @Test
    void writingEveryValueOfTheDocumentBackLeavesEveryRowAsItWasAndNeverWritesAGeneratedColumn() throws Exception {
        MigrationStatus done = run(Migration.define("writeBack", "typed", (ctx, doc) -> {
            ObjectNode copy = doc.deepCopy();
            copy.put("counter", doc.get("counter").asInt() + 1);
            if (doc.get("id").asInt() % 2 == 0) {
                ctx.db().replace(ctx.table(), doc.get("id"), copy); // leaves the generated columns out itself
                return null;
            }
            copy.remove(List.of("doubled", "total")); // a patch that set one would fail the batch
            return copy;
        }));
        assertEquals(ROWS + 2, done.progress().processed());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM \"typed\" WHERE \"counter\" <> 1"));
        // a JSON column is text: written back, the same JSON value is written in Keyway's compact form ({"n":1,...})
        assertEquals(List.of(), changedColumns(true));
    }

    @Test
    void aValueTheColumnCannotTakeFailsTheRunNamingTheDocumentAndTheBatchRollsBack() throws Exception {
        start(Migration.define("notASize", "typed", (ctx, doc) -> ctx.newObject()
                .put("counter", doc.get("counter").asInt() + 1)
                .put("size", doc.get("id").asInt() == 17 ? "huge" : doc.path("size").asText(null))));
        MigrationStatus failed = harness.runToEnd(Command.Run.of("notASize"));
        assertEquals(MigrationState.FAILED, failed.state(), failed.toString());
        assertTrue(failed.failure().error().contains("id=17") && failed.failure().error().contains("huge"), failed.failure().error());
        assertEquals("17", failed.failure().batch().documentId(), failed.toString());
        assertEquals(0, sql.count("SELECT \"counter\" FROM \"typed\" WHERE \"id\" = 17"), "its batch rolled back");
    }

    private void start(Migration m) {
        harness = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                MigrationCatalog.of(List.of(m.withBatchSize(3).withSegments(2))), 2);
    }

    private MigrationStatus run(Migration m) {
        start(m);
        MigrationStatus done = harness.runToEnd(Command.Run.of(m.name()));
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        return done;
    }

    /**
     * The columns (with the first row that differs) whose text is not the copy's; NULL equals NULL only.
     *
     * @param jsonAsValue whether the JSON column is compared as a JSON value ({@code JSON_EQUALS}) rather than as text
     */
    private List<String> changedColumns(boolean jsonAsValue) throws Exception {
        List<String> changed = new ArrayList<>();
        try (Connection c = sql.connect(); Statement st = c.createStatement()) {
            for (String col : COLUMNS) {
                String f = "CAST(f.\"" + col + "\" AS CHAR)";
                String b = "CAST(b.\"" + col + "\" AS CHAR)";
                String same = jsonAsValue && col.equals("doc")
                        ? "COALESCE(JSON_EQUALS(f.\"doc\", b.\"doc\"), f.\"doc\" IS NULL AND b.\"doc\" IS NULL)"
                        : "BINARY " + f + " <=> BINARY " + b;
                String q = "SELECT f.\"id\", " + f + ", " + b + " FROM \"typed\" f JOIN \"typed_before\" b USING (\"id\")"
                        + " WHERE NOT (" + same + ") ORDER BY f.\"id\" LIMIT 1";
                try (ResultSet rs = st.executeQuery(q)) {
                    if (rs.next()) {
                        changed.add(col + " of row " + rs.getInt(1) + ": " + rs.getString(2) + " instead of " + rs.getString(3));
                    }
                }
            }
        }
        return changed;
    }
}
