package dev.keyway.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The keys that cut a walk into segments of about equal size ({@link dev.keyway.store.TablePlanner#splitPoints}): from
 * a row sample on large tables where the database takes one ({@link Dialect#rowSample}), else exactly, by counting
 * along the key order.
 */
final class SplitPointQueries {

    /** Tables from this size are split from a sample where the database takes one; smaller ones are walked exactly. */
    static final long SAMPLE_FROM_ROWS = 100_000;
    /** Sampled keys wanted per segment: segment sizes then differ from the mean by about 10 per cent. */
    static final int SAMPLE_PER_SEGMENT = 200;

    private SplitPointQueries() {
    }

    /**
     * Up to {@code segments - 1} cursors, strictly rising, read on {@code c} in one snapshot of the table: the exact
     * points' queries run in one REPEATABLE READ transaction, so rows the application deletes or inserts meanwhile
     * cannot make a later point fall before an earlier one (segments that overlap). Call it before {@code c} runs
     * anything in its transaction; the caller commits and sets the isolation back.
     */
    static List<String> read(Connection c, Sql sql, TableInfo info, KeyOrder order, long rows, int segments)
            throws SQLException {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        if (rows >= SAMPLE_FROM_ROWS) {
            List<String> sampled = sampled(c, sql, info, order, rows, segments);
            if (sampled != null) {
                return sampled;
            }
        }
        return exact(c, sql, info, order, rows, segments);
    }

    /**
     * Split points at the quantiles of a row sample (PostgreSQL's {@code TABLESAMPLE BERNOULLI}): one pass over the
     * table's pages, like a count, instead of walking the key index up to each point; rows are picked
     * one by one, so keys stored together do not skew it (a block sample, {@code SYSTEM}, did: a segment
     * of 7,400 rows where 12,500 were due). Null if the database takes no sample, or it came out too small to trust.
     */
    private static List<String> sampled(Connection c, Sql sql, TableInfo info, KeyOrder order, long rows, int segments)
            throws SQLException {
        double percent = Math.min(100.0, 100.0 * SAMPLE_PER_SEGMENT * segments / rows);
        Optional<String> sample = sql.dialect().rowSample(percent);
        if (sample.isEmpty()) {
            return null;
        }
        String q = "SELECT " + order.selectColumns() + " FROM " + info.sqlName() + " " + sample.get() + " WHERE "
                + order.where(null, null) + " ORDER BY " + order.orderBy();
        List<String> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(q)) {
            order.bind(sql, ps, 1, null, null);
            try (ResultSet rs = ps.executeQuery()) {
                Sql.RowReader reader = sql.rowReader(rs.getMetaData());
                while (rs.next()) {
                    keys.add(order.cursorOf(reader.read(rs)));
                }
            }
        }
        if (keys.size() < segments * (SAMPLE_PER_SEGMENT / 4)) {
            return null;
        }
        List<String> points = new ArrayList<>();
        for (int k = 1; k < segments; k++) {
            addDistinct(points, keys.get((int) ((long) k * keys.size() / segments) - 1));
        }
        return points;
    }

    /** Split points exactly at every (rows / segments)-th key: one {@code OFFSET} query per point. */
    private static List<String> exact(Connection c, Sql sql, TableInfo info, KeyOrder order, long rows, int segments)
            throws SQLException {
        List<String> points = new ArrayList<>();
        String q = "SELECT " + order.selectColumns() + " FROM " + info.sqlName() + " WHERE "
                + order.where(null, null) + " ORDER BY " + order.orderBy() + " LIMIT 1 OFFSET ?";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            for (int k = 1; k < segments; k++) {
                int next = order.bind(sql, ps, 1, null, null);
                ps.setLong(next, k * rows / segments - 1);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        addDistinct(points, order.cursorOf(sql.readRow(rs)));
                    }
                }
            }
        }
        return points;
    }

    /** Adds a point unless it repeats the last one (many rows under one key value leave fewer segments). */
    private static void addDistinct(List<String> points, String cursor) {
        if (points.isEmpty() || !points.get(points.size() - 1).equals(cursor)) {
            points.add(cursor);
        }
    }
}
