package dev.keyway.store.internal;

import dev.keyway.store.CoordinatorEpoch;
import dev.keyway.store.CoordinatorFencedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The table {@code keyway_coordinator}: one row per coordinator group, its current epoch ({@link CoordinatorEpoch}). */
final class EpochTable {

    private EpochTable() {
    }

    /** Takes the group's next epoch (1 when it has none yet). */
    static CoordinatorEpoch next(Connection c, String group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + JdbcStore.COORDINATOR
                + " SET epoch = epoch + 1, taken_at = CURRENT_TIMESTAMP WHERE coordinator_group = ?")) {
            ps.setString(1, group);
            if (ps.executeUpdate() == 0) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + JdbcStore.COORDINATOR
                        + " (coordinator_group, epoch) VALUES (?, 1)")) {
                    insert.setString(1, group);
                    insert.executeUpdate();
                }
            }
        }
        return new CoordinatorEpoch(group, read(c, group, ""));
    }

    /**
     * Locks the group's row until the transaction ends and checks that {@code epoch} is still the group's; a
     * coordinator that takes over waits for this transaction, so a fence written under the check is written before.
     */
    static void check(Connection c, CoordinatorEpoch epoch, Sql sql) throws SQLException {
        sql.limitLockWait(c, FenceTable.WRITE_LOCK_TIMEOUT_MS);
        long current = read(c, epoch.group(), sql.dialect().forUpdateWaiting(FenceTable.WRITE_LOCK_TIMEOUT_MS));
        if (current != epoch.epoch()) {
            throw new CoordinatorFencedException("the coordinator of epoch " + epoch.epoch() + " of " + epoch.group()
                    + " may no longer write fences: another one took over (epoch " + current + "); it starts over from"
                    + " what was committed");
        }
    }

    /** @param lock what ends the query: the dialect's row-lock clause, or nothing */
    private static long read(Connection c, String group, String lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM " + JdbcStore.COORDINATOR
                + " WHERE coordinator_group = ?" + lock)) {
            ps.setString(1, group);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
