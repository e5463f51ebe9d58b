package dev.keyway.it.support;

import dev.keyway.store.HealthProbe;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a MariaDB replica has applied the primary's binlog, in bytes, as Keyway's MariaDB health probe reads it
 * (docs/MARIADB.md, "Replication lag in bytes"), with the figures both servers show beside it. MariaDB's primary does not know how far its replicas have
 * applied (unlike PostgreSQL's {@code pg_stat_replication.replay_lsn}): the replica says where it is
 * ({@code SHOW ALL SLAVES STATUS}: {@code Relay_Master_Log_File} and {@code Exec_Master_Log_Pos}, a position in
 * the primary's binlog), the primary where it is ({@code SHOW MASTER STATUS}) and how long each binlog file is
 * ({@code SHOW BINARY LOGS}), and the lag is the bytes of binlog between the two positions.
 *
 * <p>The replica is read before the primary, so a reading is never less than the lag at the moment of the
 * replica's answer. Needs {@code SLAVE MONITOR} on the replica and {@code BINLOG MONITOR} on the primary.
 */
public final class MariaDbReplicationLag {

    private MariaDbReplicationLag() {
    }

    /** One reading: the lag in bytes, and the figures it comes from (as both servers showed them). */
    public record Reading(long bytes, long transactionsBehind, Map<String, String> replica, String primaryFile,
            long primaryPosition, String primaryGtid) {

        @Override
        public String toString() {
            return bytes + " bytes (" + transactionsBehind + " transaction(s)) behind; primary at " + primaryFile + ":"
                    + primaryPosition + " (GTID " + primaryGtid + "); replica " + replica;
        }
    }

    /**
     * The bytes of the primary's binlog that the replica's SQL thread has yet to apply, as Keyway's health probe reads
     * them ({@code probe}: a store on the primary with the replica in its {@code replicaUrls}), and what both servers
     * show beside it.
     */
    public static Reading read(HealthProbe probe, Connection primary, Connection replica) throws SQLException {
        Map<String, String> slave = slaveStatus(replica);
        String slaveGtid = single(replica, "SELECT @@gtid_slave_pos");
        long bytes = probe.replicaLagBytes();
        String file;
        long position;
        try (Statement st = primary.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new SQLException("SHOW MASTER STATUS is empty: the primary writes no binlog (log_bin=OFF)");
            }
            file = rs.getString("File");
            position = rs.getLong("Position");
        }
        String primaryGtid = single(primary, "SELECT @@gtid_binlog_pos");
        return new Reading(bytes, sequence(primaryGtid) - sequence(slaveGtid), slave, file, position, primaryGtid);
    }

    /** The replica's {@code SHOW ALL SLAVES STATUS} for its one connection, column by column. */
    public static Map<String, String> slaveStatus(Connection replica) throws SQLException {
        try (Statement st = replica.createStatement(); ResultSet rs = st.executeQuery("SHOW ALL SLAVES STATUS")) {
            if (!rs.next()) {
                throw new SQLException("SHOW ALL SLAVES STATUS is empty: this server replicates from nowhere");
            }
            Map<String, String> columns = new LinkedHashMap<>();
            for (String name : new String[] {"Slave_IO_Running", "Slave_SQL_Running", "Master_Log_File",
                    "Read_Master_Log_Pos", "Relay_Master_Log_File", "Exec_Master_Log_Pos", "Relay_Log_Space",
                    "Seconds_Behind_Master", "Gtid_IO_Pos", "Gtid_Slave_Pos"}) {
                columns.put(name, rs.getString(name));
            }
            return columns;
        }
    }

    /** The sequence number of domain 0 in a GTID position such as {@code 0-1-42}, 0 when empty. */
    private static long sequence(String gtidPosition) {
        for (String gtid : gtidPosition.split(",")) {
            String[] parts = gtid.trim().split("-");
            if (parts.length == 3 && parts[0].equals("0")) {
                return Long.parseLong(parts[2]);
            }
        }
        return 0;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
