package dev.keyway.it;

import static dev.keyway.it.support.PagilaLikeSchema.ACTORS_PER_FILM;
import static dev.keyway.it.support.PagilaLikeSchema.ARCHIVED_CUSTOMERS;
import static dev.keyway.it.support.PagilaLikeSchema.CUSTOMERS;
import static dev.keyway.it.support.PagilaLikeSchema.FILMS;
import static dev.keyway.it.support.PagilaLikeSchema.INVENTORY;
import static dev.keyway.it.support.PagilaLikeSchema.LINES_PER_ORDER;
import static dev.keyway.it.support.PagilaLikeSchema.MONTHS;
import static dev.keyway.it.support.PagilaLikeSchema.ORDERS;
import static dev.keyway.it.support.PagilaLikeSchema.PAYMENTS_PER_MONTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.PagilaLikeSchema;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Migrations over a schema shaped like real ones ({@link PagilaLikeSchema}), through a real coordinator and real
 * workers on Kafka and PostgreSQL, each split into several segments so that split points fall on composite keys:
 * every row of every table ends with its counter at exactly 1, checked in SQL; a table Keyway cannot walk fails the
 * run when it starts, with the reason.
 */
class RealSchemaIT {

    private static final int SEGMENTS = 4;
    private static final int BATCH = 40;

    private TestDatabase db;
    private Sql sql;
    private ServiceHarness harness;

    /** {@code column := column + 1}: applied twice to a row, it shows. */
    private static MigrateOne plusOne(String column) {
        return (ctx, doc) -> ctx.newObject().put(column, doc.get(column).asInt() + 1);
    }

    private static Migration counted(String name, String table, String column) {
        return Migration.define(name, table, plusOne(column)).withBatchSize(BATCH).withSegments(SEGMENTS);
    }

    /**
     * Over {@code film}: counter + 1, and through ctx.db() by composite key, the film's lead actor's row of
     * {@code film_actor} (read by its array id, patched by its object id: credits + 1), and a new order line
     * whose id must come back as the array of its key.
     */
    private static final Migration CREDIT_LEAD_ACTORS = Migration.define("creditLeadActors", "film", (ctx, film) -> {
        int filmId = film.get("film_id").asInt();
        int actorId = PagilaLikeSchema.leadActor(filmId);
        JsonNode id = JsonNodeFactory.instance.arrayNode().add(actorId).add(filmId);
        ObjectNode credit = ctx.db().get("film_actor", id)
                .orElseThrow(() -> new IllegalStateException("no film_actor row " + id));
        ObjectNode byColumns = ctx.newObject().put("film_id", filmId).put("actor_id", actorId);
        ctx.db().patch("film_actor", byColumns, ctx.newObject().put("credits", credit.get("credits").asInt() + 1));
        JsonNode line = ctx.db().insert("\"Sales\".\"OrderItems\"", ctx.newObject().put("OrderId", 1000 + filmId)
                .put("LineNo", 1).put("Quantity", 1).put("UnitPrice", 5));
        if (!line.equals(JsonNodeFactory.instance.arrayNode().add(1000 + filmId).add(1))) {
            throw new IllegalStateException("insert returned " + line + ", not the array of its key");
        }
        return ctx.newObject().put("counter", film.get("counter").asInt() + 1);
    }).withBatchSize(BATCH).withSegments(SEGMENTS);

    /** Sets the generated column: a bug the batch must refuse, naming the column. */
    private static final Migration SETS_GENERATED = Migration.define("setsGenerated", "inventory", (ctx, doc) ->
            ctx.newObject().put("price_with_tax", 99).put("counter", doc.get("counter").asInt() + 1))
            .withBatchSize(BATCH);

    private static final List<Migration> MIGRATIONS = List.of(
            counted("filmActors", "film_actor", "counter"),
            counted("payments", "payment", "counter"),
            counted("februaryAudit", "payment_p2022_02", "audited"),
            counted("orderItems", "\"Sales\".\"OrderItems\"", "Counter"),
            // repeats its key, an identity GENERATED ALWAYS: an unchanged key column is not written
            Migration.define("inventoryPrices", "inventory", (ctx, doc) -> ctx.newObject()
                    .put("inventory_id", doc.get("inventory_id").asInt())
                    .put("price", doc.get("price").decimalValue().add(java.math.BigDecimal.ONE))
                    .put("counter", doc.get("counter").asInt() + 1)).withBatchSize(BATCH).withSegments(SEGMENTS),
            counted("customers", "customer", "counter"),
            counted("archivedCustomers", "archive.customer", "counter"),
            counted("quotedPublicFilmActors", "\"public\".\"film_actor\"", "credits"),
            CREDIT_LEAD_ACTORS,
            SETS_GENERATED,
            counted("noKey", "audit_log", "counter"),
            counted("aView", "film_list", "film_id"),
            counted("aMaterializedView", "actor_summary", "films"),
            counted("missingTable", "films", "counter"),
            counted("missingSchema", "sales.\"OrderItems\"", "Counter"),
            counted("missingRangeColumn", "film_actor", "counter")
                    .withCustomRange(CustomRange.between("other", 1, 5)));

    @BeforeEach
    void createSchema() throws Exception {
        db = TestDatabase.postgres();
        sql = new Sql(Sql.options(db));
        PagilaLikeSchema.create(sql);
        harness = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                MigrationCatalog.of(MIGRATIONS), 2);
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
        db.close();
    }

    private MigrationStatus runToSuccess(String name) {
        MigrationStatus s = harness.runToEnd(Command.Run.of(name));
        assertEquals(MigrationState.SUCCESS, s.state(), name + ": " + s.failure().error());
        return s;
    }

    private long rowsNotAt(String table, String column, int n) throws Exception {
        return sql.count("SELECT COUNT(*) FROM " + table + " WHERE " + column + " <> " + n);
    }

    @Test
    void everyRowOfEveryShapeOfTableIsMigratedExactlyOnce() throws Exception {
        MigrationStatus filmActors = runToSuccess("filmActors");
        assertEquals(FILMS * ACTORS_PER_FILM, filmActors.progress().processed());
        assertEquals(SEGMENTS, filmActors.progress().segments().size(), "split on the composite key");
        assertTrue(filmActors.progress().segments().get(1).from().matches("\\[\\d+,\\d+]"),
                filmActors.progress().segments().toString());
        assertEquals(0, rowsNotAt("film_actor", "counter", 1));
        assertEquals(0, rowsNotAt("\"filmXactor\"", "other", 1), "a table matching film_actor as a LIKE pattern is left alone");

        MigrationStatus payments = runToSuccess("payments");
        assertEquals(PAYMENTS_PER_MONTH * MONTHS, payments.progress().processed(),
                "walked through the partitioned parent");
        assertEquals(SEGMENTS, payments.progress().segments().size());
        assertEquals(0, rowsNotAt("payment", "counter", 1));
        assertEquals(PAYMENTS_PER_MONTH, runToSuccess("februaryAudit").progress().processed(),
                "a partition is walked on its own");
        assertEquals(0, rowsNotAt("payment_p2022_02", "audited", 1));
        assertEquals(PAYMENTS_PER_MONTH * (MONTHS - 1), sql.count("SELECT COUNT(*) FROM payment WHERE audited = 0"));

        assertEquals(ORDERS * LINES_PER_ORDER, runToSuccess("orderItems").progress().processed());
        assertEquals(0, rowsNotAt("\"Sales\".\"OrderItems\"", "\"Counter\"", 1));

        assertEquals(INVENTORY, runToSuccess("inventoryPrices").progress().processed());
        assertEquals(0, rowsNotAt("inventory", "counter", 1));
        assertEquals(0, sql.count("SELECT COUNT(*) FROM inventory WHERE price <> 2.00 OR price_with_tax <> 2.40"),
                "the generated column follows the patched price");

        assertEquals(CUSTOMERS, runToSuccess("customers").progress().processed(),
                "customer resolves to public (search_path)");
        assertEquals(0, rowsNotAt("public.customer", "counter", 1));
        assertEquals(ARCHIVED_CUSTOMERS, sql.count("SELECT COUNT(*) FROM archive.customer WHERE counter = 0"));
        assertEquals(ARCHIVED_CUSTOMERS, runToSuccess("archivedCustomers").progress().processed());
        assertEquals(0, rowsNotAt("archive.customer", "counter", 1));
        assertEquals(0, rowsNotAt("public.customer", "counter", 1), "the public table is not walked again");
    }

    @Test
    void ctxDbAddressesRowsByTheirCompositeKey() throws Exception {
        MigrationStatus done = runToSuccess("creditLeadActors");
        assertEquals(FILMS, done.progress().processed());
        assertEquals(0, rowsNotAt("film", "counter", 1));
        assertEquals(FILMS, sql.count("SELECT COUNT(*) FROM film_actor WHERE credits = 1"));
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film_actor f WHERE credits <> CASE WHEN actor_id = ((film_id - 1) % "
                + PagilaLikeSchema.ACTORS + ") + 1 THEN 1 ELSE 0 END"), "only each film's lead actor, once");
        assertEquals(FILMS, sql.count("SELECT COUNT(*) FROM \"Sales\".\"OrderItems\" WHERE \"OrderId\" > 1000"));

        // a quoted, qualified name of the same table walks it by the same composite key
        runToSuccess("quotedPublicFilmActors");
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film_actor WHERE credits NOT IN (1, 2)"));
        assertEquals(FILMS, sql.count("SELECT COUNT(*) FROM film_actor WHERE credits = 2"));
        assertEquals(FILMS * (ACTORS_PER_FILM - 1), sql.count("SELECT COUNT(*) FROM film_actor WHERE credits = 1"));
    }

    @Test
    void aDryRunOverACompositeKeyReportsEachRowByItsWholeKey() throws Exception {
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("filmActors").withDryRun(true)));
        MigrationStatus s = harness.client().awaitStatus(x -> x.name().equals("filmActors") && x.updatedAt() >= since
                && x.dryRuns().last() != null && x.dryRuns().pending() == null, ServiceHarness.TIMEOUT);
        assertEquals(null, s.dryRuns().last().error());
        assertEquals(BATCH, s.dryRuns().last().changes().size());
        Event.DocumentChange first = s.dryRuns().last().changes().get(0);
        assertEquals("[1,1]", first.id());
        assertEquals(0, first.before().get("counter").asInt());
        assertEquals(1, first.after().get("counter").asInt());
        assertTrue(s.dryRuns().last().nextCursor().matches("\\[\\d+,\\d+]"), s.dryRuns().last().nextCursor());
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film_actor WHERE counter <> 0"), "nothing was committed");
    }

    @Test
    void aPatchThatSetsAGeneratedColumnFailsTheBatchNamingIt() throws Exception {
        MigrationStatus failed = harness.runToEnd(Command.Run.of("setsGenerated"));
        assertEquals(MigrationState.FAILED, failed.state());
        assertTrue(failed.failure().error().contains("price_with_tax") && failed.failure().error().contains("GENERATED ALWAYS"),
                failed.failure().error());
        assertEquals(INVENTORY, sql.count("SELECT COUNT(*) FROM inventory WHERE counter = 0"), "nothing applied");
    }

    @Test
    void tablesKeywayCannotWalkAreRefusedWhenTheRunStartsWithTheReason() throws Exception {
        List<String> errors = new ArrayList<>();
        expectRefusal("noKey", "table \"audit_log\" has no primary key: Keyway walks tables in key order; add one", errors);
        expectRefusal("aView", "table \"film_list\" is a view: Keyway walks tables by their primary key; migrate the"
                + " table(s) it reads", errors);
        expectRefusal("aMaterializedView", "table \"actor_summary\" is a materialized view", errors);
        expectRefusal("missingTable", "table \"films\" not found", errors);
        expectRefusal("missingSchema", "table sales.\"OrderItems\" not found", errors);
        expectRefusal("missingRangeColumn", "customRange column other not found in table \"film_actor\"", errors);
        assertTrue(errors.get(3).contains("schemas searched: public"), errors.get(3));
        assertTrue(errors.get(4).contains("schemas searched: sales"), errors.get(4));
        assertEquals(0, sql.count("SELECT COUNT(*) FROM film_actor WHERE counter <> 0"));
        assertEquals(0, sql.count("SELECT COUNT(*) FROM keyway_fence"), "no run got as far as a fence");
    }

    /** The run is rejected when asked for, with the reason, and leaves no status: nothing was changed. */
    private void expectRefusal(String migration, String reason, List<String> errors) {
        Event answer = harness.send(Command.Run.of(migration));
        assertInstanceOf(Event.CommandRejected.class, answer, migration);
        String why = ((Event.CommandRejected) answer).reason();
        assertTrue(why.startsWith("cannot run " + migration + ": ") && why.contains(reason)
                && why.endsWith("nothing was changed"), why);
        assertFalse(harness.client().statuses().containsKey(migration), "no status for " + migration);
        errors.add(why);
    }

    @Test
    void anUnqualifiedNameFollowsTheSearchPath() throws Exception {
        sql.exec("ALTER DATABASE \"" + db.name() + "\" SET search_path = archive, public");
        harness.close();
        harness = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                MigrationCatalog.of(MIGRATIONS), 1);
        MigrationStatus done = runToSuccess("customers");
        assertEquals(ARCHIVED_CUSTOMERS, done.progress().processed(), "archive comes first in the search path");
        assertEquals(0, rowsNotAt("archive.customer", "counter", 1));
        assertEquals(CUSTOMERS, sql.count("SELECT COUNT(*) FROM public.customer WHERE counter = 0"));
        Event refused = harness.send(Command.Run.of("missingTable"));
        String why = ((Event.CommandRejected) refused).reason();
        assertTrue(why.contains("schemas searched: archive, public"), why);
    }
}
