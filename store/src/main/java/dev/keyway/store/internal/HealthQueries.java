package dev.keyway.store.internal;

import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The queries behind the coordinator's health signals (PostgreSQL), one small query each for the whole cluster. A
 * reading PostgreSQL hides from a role without {@code pg_read_all_stats} ({@code pg_monitor}) is a
 * {@link StoreException} saying what to grant, never 0.
 */
final class HealthQueries {

    private HealthQueries() {
    }

    /** See {@link Store#replicaLagBytes}. */
    static long replicaLagBytes(Connection c) throws SQLException {
        // without pg_read_all_stats (pg_monitor) PostgreSQL shows a standby's row with NULL LSNs, not an error
        String q = "SELECT MAX(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), COUNT(*),"
                + " pg_has_role('pg_read_all_stats', 'USAGE') FROM pg_stat_replication";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            rs.next();
            long lag = rs.getLong(1);
            long standbys = rs.getLong(2);
            boolean allowed = rs.getBoolean(3);
            if (standbys > 0 && !allowed) {
                throw new StoreException("no permission to read pg_stat_replication's LSNs (grant pg_monitor)", null);
            }
            return lag;
        }
    }

    /** See {@link Store#lockWaitMillis}. */
    static long lockWaitMillis(Connection c) throws SQLException {
        // pg_blocking_pids and application_name are public; another role's wait (query_start, wait_event) is NULL
        // without pg_read_all_stats (pg_monitor): such a waiting session makes the wait unknown, not 0
        String q = "SELECT MAX(EXTRACT(EPOCH FROM (clock_timestamp() - w.query_start)) * 1000)"
                + " FILTER (WHERE w.wait_event_type = 'Lock'),"
                + " COUNT(*) FILTER (WHERE NOT (pg_has_role('pg_read_all_stats', 'USAGE')"
                + " OR pg_has_role(w.usesysid, 'USAGE')))"
                + " FROM pg_stat_activity w WHERE w.application_name <> ?"
                + " AND EXISTS (SELECT 1 FROM pg_stat_activity k WHERE k.pid = ANY (pg_blocking_pids(w.pid))"
                + " AND k.application_name = ?)";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, Store.APPLICATION_NAME);
            ps.setString(2, Store.APPLICATION_NAME);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long wait = rs.getLong(1);
                long hidden = rs.getLong(2);
                if (hidden > 0) {
                    throw new StoreException("no permission to read how long " + hidden + " session(s) of other roles"
                            + " waiting on Keyway's locks have waited: pg_stat_activity hides their wait events"
                            + " (grant pg_monitor)", null);
                }
                return wait;
            }
        }
    }

    /** See {@link Store#readNumber}: an operator's throttle query; NULL is an error, no row is 0. */
    static long readNumber(Connection c, String query) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            boolean row = rs.next();
            long v = row ? rs.getLong(1) : 0;
            if (row && rs.wasNull()) {
                throw new StoreException("the throttle query returned NULL, not a number", null);
            }
            return v;
        }
    }
}
