package dev.keyway.store.internal;

import dev.keyway.store.RunFence;
import dev.keyway.store.SegmentFence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fence table {@code keyway_fence}: one row per (migration, segment) of the migration's current run.
 * The coordinator replaces a migration's rows when a run starts, resumes or is canceled; each batch locks
 * its segment's row, checks it, and moves its position in the batch's own transaction.
 */
final class FenceTable {

    private FenceTable() {
    }

    /**
     * How long the coordinator waits for the batches in flight when it changes a fence (where the database can set a
     * transaction's lock timeout, {@link Dialect#transactionLockTimeout}): longer
     * than a batch's deadline, shorter than the coordinator's Kafka transaction (10 s).
     */
    static final int WRITE_LOCK_TIMEOUT_MS = 8_000;

    /**
     * Replaces the migration's rows; locks them first, so it waits for the batches in flight.
     *
     * @return the fence as written, with the positions the run's batches had reached
     */
    static RunFence write(Connection c, RunFence fence, Sql sql) throws SQLException {
        if (fence.isDryRun()) {
            return writeDryRun(c, fence);
        }
        sql.limitLockWait(c, WRITE_LOCK_TIMEOUT_MS);
        Map<Integer, SegmentFence> before = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT segment, run_id, position, end_cursor, batch_size, state FROM "
                + JdbcStore.FENCE + " WHERE migration = ? AND segment >= 0"
                + sql.dialect().forUpdateWaiting(WRITE_LOCK_TIMEOUT_MS))) {
            ps.setString(1, fence.migration());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    before.put(rs.getInt(1), row(rs, 2));
                }
            }
        }
        // rows are changed in place, never deleted and inserted again: a batch waiting on a row's lock then reads the
        // row as written (PostgreSQL's and H2's locking read of a row deleted meanwhile returns nothing, and the batch
        // would take its segment for a replaced run's)
        List<RunFence.Segment> written = new ArrayList<>();
        try (PreparedStatement update = c.prepareStatement("UPDATE " + JdbcStore.FENCE + " SET run_id = ?, position = ?,"
                + " end_cursor = ?, batch_size = ?, state = ? WHERE migration = ? AND segment = ?");
                PreparedStatement insert = c.prepareStatement("INSERT INTO " + JdbcStore.FENCE
                + " (run_id, position, end_cursor, batch_size, state, migration, segment) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (RunFence.Segment s : fence.segments()) {
                SegmentFence old = before.remove(s.index());
                boolean sameRun = old != null && old.runId().equals(fence.runId());
                // batches of this run may have gone past what the coordinator has heard of yet
                String position = sameRun ? old.position() : s.position();
                boolean done = s.done() || (sameRun && old.state() == SegmentFence.State.DONE);
                SegmentFence.State state = done ? SegmentFence.State.DONE
                        : fence.open() ? SegmentFence.State.OPEN : SegmentFence.State.CLOSED;
                PreparedStatement ps = old != null ? update : insert;
                ps.setString(1, fence.runId());
                ps.setString(2, position);
                ps.setString(3, s.end());
                ps.setInt(4, fence.batchSize());
                ps.setString(5, state.sql());
                ps.setString(6, fence.migration());
                ps.setInt(7, s.index());
                ps.addBatch();
                written.add(new RunFence.Segment(s.index(), position, s.end(), done));
            }
            update.executeBatch();
            insert.executeBatch();
        }
        // the segments of an earlier plan that this one does not have
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + JdbcStore.FENCE
                + " WHERE migration = ? AND segment = ?")) {
            for (int segment : before.keySet()) {
                ps.setString(1, fence.migration());
                ps.setInt(2, segment);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return new RunFence(fence.migration(), fence.runId(), fence.batchSize(), fence.open(), written);
    }

    /** Replaces the migration's dry-run row ({@link RunFence#DRY_RUN}) with this dry run's; its run's rows stay. */
    private static RunFence writeDryRun(Connection c, RunFence fence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + JdbcStore.FENCE
                + " WHERE migration = ? AND segment = ?")) {
            ps.setString(1, fence.migration());
            ps.setInt(2, RunFence.DRY_RUN);
            ps.executeUpdate();
        }
        RunFence.Segment s = fence.segments().get(0);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + JdbcStore.FENCE
                + " (migration, segment, run_id, position, end_cursor, batch_size, state) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, fence.migration());
            ps.setInt(2, RunFence.DRY_RUN);
            ps.setString(3, fence.runId());
            ps.setString(4, s.position());
            ps.setString(5, null);
            ps.setInt(6, fence.batchSize());
            ps.setString(7, (fence.open() ? SegmentFence.State.OPEN : SegmentFence.State.DONE).sql());
            ps.executeUpdate();
        }
        return fence;
    }

    /**
     * The migration's fence as it stands, in segment order: its run, batch size and each segment's position, end and
     * whether it is done; open when a segment is open. Empty when it has no rows (never fenced, or a run being
     * planned).
     */
    static Optional<RunFence> read(Connection c, String migration) throws SQLException {
        List<RunFence.Segment> segments = new ArrayList<>();
        String runId = null;
        int batchSize = 0;
        boolean open = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT segment, run_id, position, end_cursor, batch_size, state"
                + " FROM " + JdbcStore.FENCE + " WHERE migration = ? AND segment >= 0 ORDER BY segment")) {
            ps.setString(1, migration);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SegmentFence row = row(rs, 2);
                    runId = row.runId();
                    batchSize = row.batchSize();
                    open |= row.state() == SegmentFence.State.OPEN;
                    segments.add(new RunFence.Segment(rs.getInt(1), row.position(), row.end(),
                            row.state() == SegmentFence.State.DONE));
                }
            }
        }
        return runId == null ? Optional.empty()
                : Optional.of(new RunFence(migration, runId, batchSize, open, segments));
    }

    static Optional<SegmentFence> lock(Connection c, Sql sql, String migration, int segment) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(lockQuery(sql))) {
            ps.setString(1, migration);
            ps.setInt(2, segment);
            try (ResultSet rs = ps.executeQuery()) {
                return locked(rs);
            }
        }
    }

    /** Locks one segment's row: its migration and segment bound in that order. */
    static String lockQuery(Sql sql) {
        return "SELECT run_id, position, end_cursor, batch_size, state FROM " + JdbcStore.FENCE
                + " WHERE migration = ? AND segment = ?" + sql.dialect().forUpdate();
    }

    /** The row {@link #lockQuery} read, if any. */
    static Optional<SegmentFence> locked(ResultSet rs) throws SQLException {
        return rs.next() ? Optional.of(row(rs, 1)) : Optional.empty();
    }

    /** Moves a segment's fence, its values bound by {@link #bindAdvance}. */
    static final String ADVANCE = "UPDATE " + JdbcStore.FENCE
            + " SET position = ?, state = CASE WHEN ? THEN 'done' ELSE state END, updated_at = CURRENT_TIMESTAMP"
            + " WHERE migration = ? AND segment = ?";

    static void advance(Connection c, String migration, int segment, String position, boolean done) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
            bindAdvance(ps, 1, migration, segment, position, done);
            ps.executeUpdate();
        }
    }

    /** Binds {@link #ADVANCE}'s values from parameter {@code first} on. */
    static void bindAdvance(PreparedStatement ps, int first, String migration, int segment, String position,
                            boolean done) throws SQLException {
        ps.setString(first, position);
        ps.setBoolean(first + 1, done);
        ps.setString(first + 2, migration);
        ps.setInt(first + 3, segment);
    }

    private static SegmentFence row(ResultSet rs, int first) throws SQLException {
        return new SegmentFence(rs.getString(first), rs.getString(first + 1), rs.getString(first + 2),
                rs.getInt(first + 3), SegmentFence.State.fromSql(rs.getString(first + 4)));
    }
}
