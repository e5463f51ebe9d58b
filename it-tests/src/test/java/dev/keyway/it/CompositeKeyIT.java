package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exactly once over a composite primary key of text, date and number, on PostgreSQL and MariaDB, through a real
 * coordinator and workers: the table is split into segments whose split points fall inside the key (MariaDB compares
 * cursors column by column, in the column's case-insensitive collation), and {@code migrateOne} adds 1 to the row's
 * counter and, through {@code ctx.db()} by the composite key of another table, to its day's tally. RealSchemaIT walks
 * composite keys through PostgreSQL's own schema (partitions, schemas, identity columns), which MariaDB does not have.
 */
class CompositeKeyIT {

    private static final List<String> REGIONS = List.of("eu", "US", "apac", "Latam");
    private static final int DAYS = 20;
    private static final int PER_DAY = 12;
    private static final int ROWS = REGIONS.size() * DAYS * PER_DAY;
    private static final int SEGMENTS = 4;

    /** counter + 1 on the payment, and payments + 1 on its day's row of {@code daily}, read by array id, patched by object. */
    private static final Migration TALLY = Migration.define("tally", "payment", (ctx, payment) -> {
        JsonNode day = JsonNodeFactory.instance.arrayNode().add(payment.get("region")).add(payment.get("day"));
        ObjectNode daily = ctx.db().get("daily", day).orElseThrow(() -> new IllegalStateException("no daily row " + day));
        ObjectNode byColumns = ctx.newObject().set("region", payment.get("region"));
        byColumns.set("day", payment.get("day"));
        ctx.db().patch("daily", byColumns, ctx.newObject().put("payments", daily.get("payments").asInt() + 1));
        return ctx.newObject().put("counter", payment.get("counter").asInt() + 1);
    }).withBatchSize(40).withSegments(SEGMENTS);

    private TestDatabase db;
    private Sql sql;
    private ServiceHarness harness;

    private void start(TestDatabase.Kind database) throws Exception {
        db = database.open();
        sql = new Sql(Sql.options(db));
        sql.exec("CREATE TABLE \"payment\" (\"region\" VARCHAR(10) NOT NULL, \"day\" DATE NOT NULL, \"seq\" INT NOT NULL,"
                        + " \"counter\" INT NOT NULL DEFAULT 0, PRIMARY KEY (\"region\", \"day\", \"seq\"))",
                "CREATE TABLE \"daily\" (\"region\" VARCHAR(10) NOT NULL, \"day\" DATE NOT NULL,"
                        + " \"payments\" INT NOT NULL DEFAULT 0, PRIMARY KEY (\"region\", \"day\"))");
        try (Connection c = sql.connect();
             PreparedStatement payment = c.prepareStatement(
                     "INSERT INTO \"payment\" (\"region\", \"day\", \"seq\") VALUES (?, ?, ?)");
             PreparedStatement daily = c.prepareStatement("INSERT INTO \"daily\" (\"region\", \"day\") VALUES (?, ?)")) {
            c.setAutoCommit(false);
            for (String region : REGIONS) {
                for (int d = 0; d < DAYS; d++) {
                    LocalDate day = LocalDate.of(2026, 2, 20).plusDays(d); // across a month's end
                    daily.setString(1, region);
                    daily.setObject(2, day);
                    daily.addBatch();
                    for (int seq = 1; seq <= PER_DAY; seq++) {
                        payment.setString(1, region);
                        payment.setObject(2, day);
                        payment.setInt(3, seq);
                        payment.addBatch();
                    }
                }
            }
            daily.executeBatch();
            payment.executeBatch();
            c.commit();
        }
        harness = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                MigrationCatalog.of(List.of(TALLY)), 2);
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void everyRowOfATableWithACompositeKeyIsMigratedExactlyOnceAndCtxDbFindsRowsByTheirWholeKey(TestDatabase.Kind database) throws Exception {
        start(database);
        MigrationStatus done = harness.runToEnd(Command.Run.of("tally"));
        assertEquals(MigrationState.SUCCESS, done.state(), "error: " + done.failure().error());
        assertEquals(ROWS, done.progress().processed());
        assertEquals(SEGMENTS, done.progress().segments().size(), "split on the composite key");
        assertTrue(done.progress().segments().get(1).from().matches("\\[\"[A-Za-z]+\",\"2026-0[23]-\\d\\d\",\\d+]"),
                done.progress().segments().toString());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM \"payment\" WHERE \"counter\" <> 1"),
                "payments whose counter is not exactly 1");
        assertEquals(0, sql.count("SELECT COUNT(*) FROM \"daily\" WHERE \"payments\" <> " + PER_DAY),
                "days whose tally is not exactly their payments");
    }
}
