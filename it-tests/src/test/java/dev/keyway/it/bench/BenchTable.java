package dev.keyway.it.bench;

import dev.keyway.it.support.Sql;
import java.sql.SQLException;

/** The benchmark's table, the same starting data for every contender, and the check of the result. */
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
        sql.exec("DROP TABLE IF EXISTS bench",
                "CREATE TABLE bench (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200),"
                        + " derived VARCHAR(200), touched INT NOT NULL DEFAULT 0, app_counter INT NOT NULL DEFAULT 0)",
                "INSERT INTO bench SELECT g, 'user' || g, 'user' || g || '@example.com', NULL, 0, 0"
                        + " FROM generate_series(1, " + rows + ") g",
                "VACUUM ANALYZE bench",
                "CHECKPOINT");
    }

    /** Throws unless every row was changed exactly once, correctly. */
    void check(String contender) throws SQLException {
        long wrong = sql.count("SELECT COUNT(*) FROM bench WHERE touched <> 1 OR derived IS DISTINCT FROM " + EXPECTED);
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
