package dev.keyway.store.internal;

import dev.keyway.message.BatchKey;
import dev.keyway.store.LedgerEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** The ledger table {@code keyway_ledger}: one row per applied batch, keyed by its {@link BatchKey}. */
final class LedgerTable {

    private LedgerTable() {
    }

    static Optional<LedgerEntry> find(Connection c, BatchKey key) {
        String q = "SELECT next_cursor, processed, done FROM " + JdbcStore.LEDGER
                + " WHERE migration = ? AND run_id = ? AND segment = ? AND start_cursor = ?";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, key.migration());
            ps.setString(2, key.runId());
            ps.setInt(3, key.segment());
            ps.setString(4, key.cursor() == null ? "" : key.cursor());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LedgerEntry(key, rs.getString(1), rs.getInt(2), rs.getBoolean(3)));
            }
        } catch (SQLException e) {
            throw Sql.failure("cannot read the ledger (is " + JdbcStore.LEDGER + " created?)", e);
        }
    }

    /** Inserts the entry; false when one with the same key exists already. */
    static boolean record(Connection c, LedgerEntry entry) {
        String q = "INSERT INTO " + JdbcStore.LEDGER
                + " (migration, run_id, segment, start_cursor, next_cursor, processed, done) VALUES (?, ?, ?, ?, ?, ?, ?)";
        BatchKey key = entry.key();
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, key.migration());
            ps.setString(2, key.runId());
            ps.setInt(3, key.segment());
            ps.setString(4, key.cursor() == null ? "" : key.cursor());
            ps.setString(5, entry.nextCursor());
            ps.setInt(6, entry.processed());
            ps.setBoolean(7, entry.done());
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                return false;
            }
            throw Sql.failure("cannot record the batch in the ledger", e);
        }
    }
}
