package dev.keyway.store.internal;

import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * MariaDB's health readings (docs/MARIADB.md). A reading that cannot be had throws a {@link StoreException} saying
 * what to grant or set, never 0.
 *
 * <p><b>Replication lag.</b> MariaDB's primary does not know how far a replica has applied; each replica does, as a
 * position in the primary's binlog. So the replicas are read where the configuration names them
 * ({@code REPLICA_JDBC_URLS}), each before the primary (a reading is then never below the lag at the replica's
 * answer): on the replica {@code SHOW ALL SLAVES STATUS} ({@code Relay_Master_Log_File}, {@code Exec_Master_Log_Pos};
 * needs {@code SLAVE MONITOR}), on the primary {@code SHOW MASTER STATUS} and {@code SHOW BINARY LOGS} (needs
 * {@code BINLOG MONITOR}); the lag is the binlog's bytes between the two positions, the largest over the replicas and
 * their connections. {@code Seconds_Behind_Master} is not used: it is NULL while the replica's SQL thread is stopped
 * and 0 while bytes are queued. With no replica named, a primary that has replicas connected ({@code SHOW SLAVE
 * HOSTS}; needs {@code REPLICATION MASTER ADMIN}) makes the lag unknown.
 *
 * <p><b>Lock waits.</b> MariaDB has no {@code application_name} a session could be told by (connection attributes are
 * in {@code performance_schema}, off by default): Keyway's sessions are those of Keyway's user. The reading is the
 * longest statement time of a session of another user waiting for a row lock ({@code INNODB_LOCK_WAITS}) that a
 * session of Keyway's user holds; it needs {@code PROCESS} (without it {@code INNODB_TRX} is refused, error 1227).
 * InnoDB refreshes what these views show only when they were not read for 100 ms: readings closer together (the
 * coordinator reads once a period, 1 s by default) see the same picture.
 */
final class MariaDbHealth {

    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private MariaDbHealth() {
    }

    static long replicaLagBytes(Connection primary, ReplicaServers replicas) throws SQLException {
        if (replicas.urls().isEmpty()) {
            return withoutReplicasNamed(primary);
        }
        long lag = 0;
        for (String url : replicas.urls()) {
            lag = Math.max(lag, lagOf(primary, url, replicas));
        }
        return lag;
    }

    private static long withoutReplicasNamed(Connection primary) {
        int connected = 0;
        try (Statement st = primary.createStatement(); ResultSet rs = st.executeQuery("SHOW SLAVE HOSTS")) {
            while (rs.next()) {
                connected++;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot tell whether the MariaDB primary has replicas (SHOW SLAVE HOSTS: "
                    + e.getMessage() + "): grant Keyway's user REPLICATION MASTER ADMIN, or set MAX_REPLICA_LAG_BYTES=0"
                    + " to watch no replication lag", e);
        }
        if (connected > 0) {
            throw new StoreException("the MariaDB primary has " + connected + " replica(s) connected (SHOW SLAVE HOSTS),"
                    + " but REPLICA_JDBC_URLS names none: MariaDB's primary does not know how far they have applied; set"
                    + " REPLICA_JDBC_URLS to their JDBC URLs, or MAX_REPLICA_LAG_BYTES=0 to watch no replication lag", null);
        }
        return 0;
    }

    /** The bytes of the primary's binlog the replica at {@code url} has yet to apply, the largest of its connections. */
    private static long lagOf(Connection primary, String url, ReplicaServers replicas) {
        String shown = StoreOptions.redact(url);
        long lag = 0;
        boolean any = false;
        try (Connection replica = connect(url, replicas); Statement st = replica.createStatement();
             ResultSet rs = st.executeQuery("SHOW ALL SLAVES STATUS")) {
            while (rs.next()) {
                String file = rs.getString("Relay_Master_Log_File");
                long position = rs.getLong("Exec_Master_Log_Pos");
                if (file == null || file.isEmpty() || rs.wasNull()) {
                    throw new StoreException("replica " + shown + " has not applied anything of its primary yet"
                            + " (Relay_Master_Log_File is empty): its lag is unknown", null);
                }
                lag = Math.max(lag, bytesBehind(primary, file, position, shown));
                any = true;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read how far replica " + shown + " has applied (SHOW ALL SLAVES STATUS: "
                    + e.getMessage() + "): check REPLICA_JDBC_URLS, and grant Keyway's user SLAVE MONITOR there", e);
        }
        if (!any) {
            throw new StoreException("replica " + shown + " replicates from nowhere (SHOW ALL SLAVES STATUS is empty):"
                    + " fix REPLICA_JDBC_URLS", null);
        }
        return lag;
    }

    /** The binlog's bytes from {@code file}:{@code position} to the primary's end: whole files between, then the rest. */
    private static long bytesBehind(Connection primary, String file, long position, String replica) {
        try (Statement st = primary.createStatement()) {
            String current;
            long end;
            try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                if (!rs.next()) {
                    throw new StoreException("the MariaDB primary writes no binlog (SHOW MASTER STATUS is empty), yet"
                            + " replica " + replica + " replicates: is JDBC_URL its primary?", null);
                }
                current = rs.getString("File");
                end = rs.getLong("Position");
            }
            long bytes = 0;
            boolean counting = false;
            try (ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
                while (rs.next()) {
                    String name = rs.getString("Log_name");
                    counting |= name.equals(file);
                    if (name.equals(current)) {
                        break;
                    }
                    if (counting) {
                        bytes += rs.getLong("File_size");
                    }
                }
            }
            if (!counting && !file.equals(current)) {
                throw new StoreException("replica " + replica + " applies binlog " + file + ", which the primary no longer"
                        + " lists (or is not its primary): its lag is unknown", null);
            }
            return bytes + end - position;
        } catch (SQLException e) {
            throw new StoreException("cannot read the MariaDB primary's binlog position (SHOW MASTER STATUS, SHOW BINARY"
                    + " LOGS: " + e.getMessage() + "): grant Keyway's user BINLOG MONITOR", e);
        }
    }

    /** As the store's user, unless the URL names its own ({@code ?user=..&password=..}). */
    private static Connection connect(String url, ReplicaServers replicas) throws SQLException {
        Properties p = new Properties();
        if (!url.contains("user=")) {
            p.setProperty("user", replicas.user());
            p.setProperty("password", replicas.password() == null ? "" : replicas.password());
        }
        p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        p.setProperty("socketTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        return DriverManager.getConnection(url, p);
    }

    static long lockWaitMillis(Connection c) throws SQLException {
        String q = "SELECT COALESCE(MAX(wp.TIME_MS), 0) FROM information_schema.INNODB_LOCK_WAITS l"
                + " JOIN information_schema.INNODB_TRX w ON w.trx_id = l.requesting_trx_id"
                + " JOIN information_schema.INNODB_TRX b ON b.trx_id = l.blocking_trx_id"
                + " JOIN information_schema.PROCESSLIST wp ON wp.ID = w.trx_mysql_thread_id"
                + " JOIN information_schema.PROCESSLIST bp ON bp.ID = b.trx_mysql_thread_id"
                + " WHERE bp.USER = SUBSTRING_INDEX(USER(), '@', 1) AND wp.USER <> bp.USER";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if (e.getErrorCode() == 1227) {
                throw new StoreException("no permission to read the application's lock waits on MariaDB"
                        + " (information_schema.INNODB_TRX): grant Keyway's user PROCESS", e);
            }
            throw e;
        }
    }
}
