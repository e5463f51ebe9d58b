package dev.keyway.it.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The hand-written baseline of the benchmarks: one thread, keyset pages of {@code bench} locked {@code FOR UPDATE},
 * {@code derived := name<email>} computed in Java and {@code touched := touched + 1}, a JDBC batch of updates and a
 * commit per page.
 */
final class JdbcKeysetLoop {

    private JdbcKeysetLoop() {
    }

    /**
     * Backfills every row of {@code bench} on {@code c} (left with auto-commit off) and returns the rows changed.
     *
     * @param limiter when not null, the loop acquires {@code batch} permits before each page (issue 20's peer at
     *     a given rows/s); the rows of a page are locked only after the wait
     */
    static long run(Connection c, int batch, RateLimiter limiter) throws SQLException, InterruptedException {
        long rows = 0;
        try (PreparedStatement page = c.prepareStatement("SELECT id, name, email, touched FROM bench WHERE id > ?"
                + " ORDER BY id LIMIT ? FOR UPDATE");
             PreparedStatement update = c.prepareStatement("UPDATE bench SET derived = ?, touched = ? WHERE id = ?")) {
            c.setAutoCommit(false);
            long cursor = 0;
            int n;
            do {
                if (limiter != null) {
                    limiter.acquire(batch);
                }
                page.setLong(1, cursor);
                page.setInt(2, batch);
                n = 0;
                try (ResultSet rs = page.executeQuery()) {
                    while (rs.next()) {
                        cursor = rs.getLong(1);
                        update.setString(1, rs.getString(2) + "<" + rs.getString(3) + ">");
                        update.setInt(2, rs.getInt(4) + 1);
                        update.setLong(3, cursor);
                        update.addBatch();
                        n++;
                    }
                }
                update.executeBatch();
                c.commit();
                rows += n;
            } while (n == batch);
        }
        return rows;
    }
}
