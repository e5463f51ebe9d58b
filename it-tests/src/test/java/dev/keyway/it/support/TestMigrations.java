package dev.keyway.it.support;

import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationProvider;
import java.util.List;

/**
 * Migrations for the it-tests that run services as separate processes (found there through
 * ServiceLoader). They work on {@code items} ({@link Sql#items}).
 */
public final class TestMigrations implements MigrationProvider {

    /** counter := counter + 1: the non-idempotent migration every exactly-once test runs. */
    public static final MigrateOne PLUS_ONE = (ctx, doc) -> ctx.newObject().put("counter", doc.get("counter").asInt() + 1);

    /** {@link #PLUS_ONE} on every row of items: after a run, every row's counter must be exactly 1 more. */
    public static final Migration INCREMENT = Migration.define("incrementCounter", "items", PLUS_ONE).withBatchSize(500);

    /** Like {@link #INCREMENT}, but throws on a row whose category is "poison" (fix the data to get past it). */
    public static final Migration POISONABLE = Migration.define("incrementUnlessPoisoned", "items", (ctx, doc) -> {
        if ("poison".equals(doc.path("category").asText())) {
            throw new IllegalStateException("poisoned row");
        }
        return ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
    }).withBatchSize(200);

    /** Like {@link #INCREMENT}, 20 ms per row: a batch of 100 spends 2 s in {@code migrateOne}, idle in its transaction. */
    public static final Migration SLOW_INCREMENT = Migration.define("slowIncrement", "items", (ctx, doc) -> {
        Thread.sleep(20);
        return ctx.newObject().put("counter", doc.get("counter").asInt() + 1);
    }).withBatchSize(100);

    /** {@link #PLUS_ONE} over {@code items}, {@code millisPerRow} a row: a run long enough to act on in the middle. */
    public static Migration slowPlusOne(String name, int millisPerRow) {
        return Migration.define(name, "items", (ctx, doc) -> {
            Thread.sleep(millisPerRow);
            return PLUS_ONE.migrateOne(ctx, doc);
        });
    }

    /**
     * {@link #PLUS_ONE} over {@code sales.payment}: partitioned by month, primary key (payment_date, payment_id),
     * schema-qualified (CrashRecoveryIT creates it).
     */
    public static final Migration INCREMENT_PAYMENTS = Migration.define("incrementPayments", "sales.payment", PLUS_ONE)
            .withBatchSize(200);

    /** The benchmark's backfill over {@code bench}: derived := name<email>, touched := touched + 1. */
    public static final Migration BENCH = Migration.define("benchBackfill", "bench", (ctx, doc) -> ctx.newObject()
            .put("derived", doc.get("name").asText() + "<" + doc.path("email").asText() + ">")
            .put("touched", doc.get("touched").asInt() + 1));

    /**
     * {@link #PLUS_ONE} on every row of items, and through {@code ctx.db()}: a row of {@code items_audit} inserted for
     * each row whose id is a multiple of 100, and the row of {@code items_doomed} with the same id deleted for each
     * multiple of 250 (UndoIT creates both tables). Its runs keep before-images only when asked
     * ({@code run --keep-before-images}).
     */
    public static final Migration AUDITED = Migration.define("auditedIncrement", "items", (ctx, doc) -> {
        long id = doc.get("id").asLong();
        if (id % 100 == 0) {
            ctx.db().insert("items_audit", ctx.newObject().put("id", id).put("note", "counted " + id));
        }
        if (id % 250 == 0) {
            ctx.db().delete("items_doomed", doc.get("id"));
        }
        return PLUS_ONE.migrateOne(ctx, doc);
    }).withBatchSize(500);

    @Override
    public List<Migration> migrations() {
        return List.of(INCREMENT, POISONABLE, SLOW_INCREMENT, BENCH, INCREMENT_PAYMENTS, AUDITED);
    }
}
