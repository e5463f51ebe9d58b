package dev.keyway.it.chaos;

import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationProvider;
import java.sql.SQLException;
import java.util.List;

/**
 * The chaos test's tables and its two non-idempotent migrations ({@code counter := counter + 1}), found by the
 * services through ServiceLoader: {@link #ITEMS} walks a single-key table within a {@code customRange} (the
 * application inserts rows beyond it), {@link #PAIRS} a table with a composite primary key.
 */
public final class ChaosMigrations implements MigrationProvider {

    /** Rows of {@code chaos_items} inside the migration's range: ids 1 to this. */
    public static final int ITEM_ROWS = 30_000;
    public static final int REGIONS = 8;
    public static final int PER_REGION = 2_000;

    public static final Migration ITEMS = Migration.define("chaosItems", "chaos_items", TestMigrations.PLUS_ONE)
            .withBatchSize(200).withCustomRange(CustomRange.between("id", 1L, (long) ITEM_ROWS)).withBeforeImages();
    public static final Migration PAIRS = Migration.define("chaosPairs", "chaos_pairs", TestMigrations.PLUS_ONE)
            .withBatchSize(150).withBeforeImages();

    /** Both migrations, in the order the schedule names them. */
    public static final List<Migration> ALL = List.of(ITEMS, PAIRS);

    @Override
    public List<Migration> migrations() {
        return ALL;
    }

    /**
     * Creates both tables with every counter at 0 and a {@code note} the migrations never touch, on PostgreSQL or
     * MariaDB (the SQL that differs is {@link Sql}'s).
     */
    static void createTables(Sql sql) throws SQLException {
        sql.exec("CREATE TABLE chaos_items (id BIGINT PRIMARY KEY, counter INT NOT NULL DEFAULT 0, note TEXT)",
                "INSERT INTO chaos_items (id, note) SELECT i.g, 'seed' FROM " + sql.numbers(ITEM_ROWS) + " i",
                "CREATE TABLE chaos_pairs (region INT NOT NULL, seq INT NOT NULL, counter INT NOT NULL DEFAULT 0,"
                        + " note TEXT, PRIMARY KEY (region, seq))",
                "INSERT INTO chaos_pairs (region, seq, note) SELECT r.g, s.g, 'seed' FROM " + sql.numbers(REGIONS)
                        + " r, " + sql.numbers(PER_REGION) + " s",
                sql.analyze("chaos_items"), sql.analyze("chaos_pairs"));
    }

    /** The rows a run of {@code migration} walks. */
    static long rowsOf(Migration migration) {
        return migration == ITEMS ? ITEM_ROWS : (long) REGIONS * PER_REGION;
    }

    /** The SQL condition picking the rows a run of {@code migration} walks. */
    static String tableAndRange(Migration migration) {
        return migration == ITEMS ? "chaos_items WHERE id BETWEEN 1 AND " + ITEM_ROWS : "chaos_pairs WHERE TRUE";
    }
}
