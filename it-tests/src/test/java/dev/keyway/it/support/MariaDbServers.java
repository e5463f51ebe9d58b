package dev.keyway.it.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The real MariaDB primary and its GTID replica that {@code bin/ensure-mariadb} and {@code bin/ensure-mariadb-replica}
 * start (docs/MARIADB.md), named by the environment with these defaults:
 *
 * <ul>
 *   <li>{@code KEYWAY_MARIADB_URL}: {@value #DEFAULT_URL}; {@code KEYWAY_MARIADB_REPLICA_URL}:
 *       {@value #DEFAULT_REPLICA_URL} (server and database only: the users come from the variables below);
 *   <li>{@code KEYWAY_MARIADB_USER}/{@code KEYWAY_MARIADB_PASSWORD}: {@code keyway}/{@code keyway}, every right on
 *       the keyway databases and the health probe's ({@code BINLOG MONITOR}, {@code SLAVE MONITOR},
 *       {@code REPLICATION MASTER ADMIN}, {@code PROCESS});
 *   <li>{@code KEYWAY_MARIADB_ADMIN_USER}/{@code KEYWAY_MARIADB_ADMIN_PASSWORD}: {@code keyway_admin}, every right
 *       (it stops and starts the replica's SQL thread, and rotates the primary's binlog);
 *   <li>{@code keyway_nomonitor}/{@code keyway_nomonitor}: keyway's data rights without the probe's.
 * </ul>
 *
 * <p>{@link #requireRunning()} skips the calling test only when MariaDB is not installed here, no URL was given
 * and {@code CI} is not set; otherwise an unreachable server fails the test, saying how to start it.
 */
public final class MariaDbServers {

    public static final String DEFAULT_URL = "jdbc:mariadb://127.0.0.1:3306/keyway";
    public static final String DEFAULT_REPLICA_URL = "jdbc:mariadb://127.0.0.1:3307/keyway";
    public static final String NOMONITOR_USER = "keyway_nomonitor";

    private static final Path SERVER_BINARY = Path.of("/usr/sbin/mariadbd");
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private MariaDbServers() {
    }

    public static String primaryUrl() {
        return env("KEYWAY_MARIADB_URL", DEFAULT_URL);
    }

    public static String replicaUrl() {
        return env("KEYWAY_MARIADB_REPLICA_URL", DEFAULT_REPLICA_URL);
    }

    /** The primary as {@code keyway}; the caller closes it. */
    public static Connection primary() throws SQLException {
        return connect(primaryUrl(), user(), password());
    }

    /** The replica as {@code keyway}; the caller closes it. */
    public static Connection replica() throws SQLException {
        return connect(replicaUrl(), user(), password());
    }

    /** {@code url} as the administrator; the caller closes it. */
    public static Connection asAdmin(String url) throws SQLException {
        return connect(url, adminUser(), adminPassword());
    }

    /** The administrator, who may also play an application that is not Keyway (another user). */
    public static String adminUser() {
        return env("KEYWAY_MARIADB_ADMIN_USER", "keyway_admin");
    }

    public static String adminPassword() {
        return env("KEYWAY_MARIADB_ADMIN_PASSWORD", "keyway_admin");
    }

    /** {@code url} as {@link #NOMONITOR_USER}; the caller closes it. */
    public static Connection withoutMonitorRights(String url) throws SQLException {
        return connect(url, NOMONITOR_USER, NOMONITOR_USER);
    }

    /** Fails (or, see the class comment, skips) the calling test unless the primary and the replica answer. */
    public static void requireRunning() {
        boolean given = System.getenv("KEYWAY_MARIADB_URL") != null;
        boolean ci = !env("CI", "").isEmpty() && !env("CI", "").equalsIgnoreCase("false");
        for (String url : new String[] {primaryUrl(), replicaUrl()}) {
            try (Connection c = connect(url, user(), password())) {
                c.isValid(CONNECT_TIMEOUT_SECONDS);
            } catch (SQLException e) {
                assumeTrue(given || ci || Files.isExecutable(SERVER_BINARY),
                        "MariaDB is not installed here (no " + SERVER_BINARY + "): bin/ensure-mariadb-replica installs"
                                + " and starts it");
                fail("no MariaDB at " + url + " as " + user() + " (" + e.getMessage() + "): run"
                        + " bin/ensure-mariadb-replica, or set KEYWAY_MARIADB_URL and KEYWAY_MARIADB_REPLICA_URL", e);
            }
        }
    }

    private static Connection connect(String url, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
        return DriverManager.getConnection(url, properties);
    }

    /** Keyway's user on both servers. */
    public static String user() {
        return env("KEYWAY_MARIADB_USER", "keyway");
    }

    public static String password() {
        return env("KEYWAY_MARIADB_PASSWORD", "keyway");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
