package dev.keyway.store.internal;

import dev.keyway.message.BatchKey;
import dev.keyway.store.LedgerEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ledger table {@code keyway_ledger}: one row per applied batch, keyed by its {@link BatchKey}; a batch's
 * {@code next_cursor} is the {@code start_cursor} of the segment's next batch, so the entries chain.
 */
final class LedgerTable {

    private LedgerTable() {
    }

    static Optional<LedgerEntry> find(Connection c, Sql sql, BatchKey key) {
        try (PreparedStatement ps = c.prepareStatement(FIND)) {
            bindFind(ps, 1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return found(rs, key);
            }
        } catch (SQLException e) {
            throw sql.failure("cannot read the ledger (is " + JdbcStore.LEDGER + " created?)", e);
        }
    }

    /** One batch's entry, its key bound by {@link #bindFind}. */
    static final String FIND = "SELECT next_cursor, processed, done, quarantined FROM " + JdbcStore.LEDGER
            + " WHERE migration = ? AND run_id = ? AND segment = ? AND start_cursor = ?";

    static void bindFind(PreparedStatement ps, int first, BatchKey key) throws SQLException {
        ps.setString(first, key.migration());
        ps.setString(first + 1, key.runId());
        ps.setInt(first + 2, key.segment());
        ps.setString(first + 3, key.cursor() == null ? "" : key.cursor());
    }

    /** The entry {@link #FIND} read, if any. */
    static Optional<LedgerEntry> found(ResultSet rs, BatchKey key) throws SQLException {
        if (!rs.next()) {
            return Optional.empty();
        }
        return Optional.of(new LedgerEntry(key, rs.getString(1), rs.getInt(2), rs.getBoolean(3), rs.getInt(4)));
    }

    /**
     * The entries chained from {@code start}: its batch, the batch that started where it ended, and so on, up to
     * the one that ends at {@code until}, the segment's last, or {@code max} entries (one recursive query).
     */
    static List<LedgerEntry> chain(Connection c, Sql sql, BatchKey start, String until, int max) {
        String where = "migration = ? AND run_id = ? AND segment = ?";
        String q = "WITH RECURSIVE chain (start_cursor, next_cursor, processed, done, quarantined, n) AS ("
                + " SELECT start_cursor, next_cursor, processed, done, quarantined, 1 FROM " + JdbcStore.LEDGER
                + " WHERE " + where + " AND start_cursor = ?"
                + " UNION ALL SELECT l.start_cursor, l.next_cursor, l.processed, l.done, l.quarantined, c.n + 1 FROM " + JdbcStore.LEDGER
                + " l JOIN chain c ON l.start_cursor = c.next_cursor"
                + " WHERE l." + where.replace(" AND ", " AND l.") + " AND NOT c.done AND c.next_cursor <> ? AND c.n < ?)"
                + " SELECT start_cursor, next_cursor, processed, done, quarantined FROM chain ORDER BY n";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, start.migration());
            ps.setString(2, start.runId());
            ps.setInt(3, start.segment());
            ps.setString(4, start.cursor() == null ? "" : start.cursor());
            ps.setString(5, start.migration());
            ps.setString(6, start.runId());
            ps.setInt(7, start.segment());
            ps.setString(8, until == null ? "" : until);
            ps.setInt(9, max);
            List<LedgerEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String from = rs.getString(1);
                    BatchKey key = new BatchKey(start.migration(), start.runId(), start.segment(), from.isEmpty() ? null : from);
                    out.add(new LedgerEntry(key, rs.getString(2), rs.getInt(3), rs.getBoolean(4), rs.getInt(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw sql.failure("cannot read the ledger (is " + JdbcStore.LEDGER + " created?)", e);
        }
    }

    /** The insert of one entry, its values bound by {@link #bind}. */
    static final String INSERT = "INSERT INTO " + JdbcStore.LEDGER
            + " (migration, run_id, segment, start_cursor, next_cursor, processed, done, quarantined) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    /** Inserts the entry; false when one with the same key exists already. */
    static boolean record(Connection c, Sql sql, LedgerEntry entry) {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, 1, entry);
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (sql.isDuplicateKey(e)) {
                return false;
            }
            throw sql.failure("cannot record the batch in the ledger", e);
        }
    }

    /** Binds {@link #INSERT}'s values from parameter {@code first} on; returns the next parameter's index. */
    static int bind(PreparedStatement ps, int first, LedgerEntry entry) throws SQLException {
        BatchKey key = entry.key();
        ps.setString(first, key.migration());
        ps.setString(first + 1, key.runId());
        ps.setInt(first + 2, key.segment());
        ps.setString(first + 3, key.cursor() == null ? "" : key.cursor());
        ps.setString(first + 4, entry.nextCursor());
        ps.setInt(first + 5, entry.processed());
        ps.setBoolean(first + 6, entry.done());
        ps.setInt(first + 7, entry.quarantined());
        return first + 8;
    }
}
