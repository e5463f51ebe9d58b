package dev.keyway.it.bench;

import dev.keyway.it.support.Sql;
import java.sql.SQLException;

/**
 * The benchmark's table, the same starting data for every contender, and the check of the result, on PostgreSQL or
 * MariaDB (whose test connections speak ANSI: {@code ||} joins strings there too).
 */
final class BenchTable {

    static final String EXPECTED = "name || '<' || email || '>'";

    private final Sql sql;
    private final int rows;

    BenchTable(Sql sql, int rows) {
        this.sql = sql;
        this.rows = rows;
    }

    /** Drops and re-creates {@code bench} with {@code rows} rows, none migrated. */
    void reset() throws SQLException {
        String create = "CREATE TABLE bench (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200),"
                + " derived VARCHAR(200), touched INT NOT NULL DEFAULT 0, app_counter INT NOT NULL DEFAULT 0)";
        if (sql.isMariaDb()) {
            // MariaDB's Sequence engine for generate_series; InnoDB has no VACUUM, and no CHECKPOINT a user may call
            sql.exec("DROP TABLE IF EXISTS bench", create,
                    "INSERT INTO bench SELECT seq, 'user' || seq, 'user' || seq || '@example.com', NULL, 0, 0"
                            + " FROM seq_1_to_" + rows,
                    "ANALYZE TABLE bench");
            return;
        }
        sql.exec("DROP TABLE IF EXISTS bench", create,
                "INSERT INTO bench SELECT g, 'user' || g, 'user' || g || '@example.com', NULL, 0, 0"
                        + " FROM generate_series(1, " + rows + ") g",
                "VACUUM ANALYZE bench",
                "CHECKPOINT");
    }

    /** Throws unless every row was changed exactly once, correctly. */
    void check(String contender) throws SQLException {
        String differs = sql.isMariaDb() ? "NOT (derived <=> " + EXPECTED + ")" : "derived IS DISTINCT FROM " + EXPECTED;
        long wrong = sql.count("SELECT COUNT(*) FROM bench WHERE touched <> 1 OR " + differs);
        long total = sql.count("SELECT COUNT(*) FROM bench");
        if (wrong != 0 || total != rows) {
            throw new IllegalStateException(contender + ": " + wrong + " of " + total + " rows were not changed exactly once");
        }
    }

    /** The application's updates so far (the impact benchmark's pgbench adds 1 to a random row's app_counter). */
    long applicationUpdates() throws SQLException {
        return sql.count("SELECT COALESCE(SUM(app_counter), 0) FROM bench");
    }

    /** Makes every row unmigrated again, keeping the application's counts. */
    void unmigrate() throws SQLException {
        sql.exec("UPDATE bench SET derived = NULL, touched = 0", "VACUUM ANALYZE bench", "CHECKPOINT");
    }

    int rows() {
        return rows;
    }
}
