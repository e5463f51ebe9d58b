package dev.keyway.it.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * A fresh, real database for one test.
 *
 * <p>{@link #postgres()} creates a database {@code keyway_it_<random>} on the PostgreSQL server named by
 * {@code TEST_JDBC_URL} / {@code TEST_JDBC_USER} / {@code TEST_JDBC_PASSWORD}, by default
 * {@value #DEFAULT_ADMIN_URL} as {@code postgres}/{@code postgres} (see {@code bin/ensure-postgres});
 * {@link #close()} drops it, closing any connection still open to it. When the server cannot be
 * reached the test fails with a message saying how to start it: tests never skip silently.
 *
 * <p>{@link #mariadb()} creates a database {@code keyway_it_<random>} on the MariaDB primary of {@link MariaDbServers}
 * as its administrator, for Keyway's user {@code keyway}; {@link #close()} drops it. The store's URL carries no session
 * settings (the store sets its own); the connections of the test itself ({@link #connect()}, {@link Sql#connect()})
 * speak ANSI SQL, as the store does: double-quoted identifiers, {@code ||} joins strings, and {@code TIMESTAMP}s in UTC.
 *
 * <p>{@link #h2(Path)} is an H2 database in file mode in the given directory; {@link #close()} leaves
 * its files to the owner of the directory.
 */
public final class TestDatabase implements AutoCloseable {

    public static final String URL_ENV = "TEST_JDBC_URL";
    public static final String USER_ENV = "TEST_JDBC_USER";
    public static final String PASSWORD_ENV = "TEST_JDBC_PASSWORD";
    public static final String DEFAULT_ADMIN_URL = "jdbc:postgresql://localhost:5432/postgres";
    public static final String DEFAULT_USER = "postgres";
    public static final String DEFAULT_PASSWORD = "postgres";

    private static final String POSTGRES_PREFIX = "jdbc:postgresql://";
    private static final String MARIADB_PREFIX = "jdbc:mariadb://";
    /** The session of a test's own MariaDB connections: ANSI, strict, UTC (see the class comment). */
    private static final String MARIADB_SESSION = "sql_mode='ANSI,STRICT_TRANS_TABLES',time_zone='+00:00'";
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String name;
    private final String adminUrl;

    /**
     * The production databases an it-test runs over ({@code @ParameterizedTest @EnumSource(TestDatabase.Kind.class)},
     * docs/CONTRIBUTING.md "Testing on every database"): each {@link #open()}s a fresh database of its kind.
     */
    public enum Kind {
        POSTGRES, MARIADB;

        /** A fresh database of this kind: {@link TestDatabase#postgres()} or {@link TestDatabase#mariadb()}. */
        public TestDatabase open() {
            return this == MARIADB ? mariadb() : postgres();
        }
    }

    private TestDatabase(String jdbcUrl, String user, String password, String name, String adminUrl) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.name = name;
        this.adminUrl = adminUrl;
    }

    /**
     * {@link #postgres()} for {@code "postgres"}, {@link #mariadb()} for {@code "mariadb"}, else {@link #h2} in a fresh
     * directory under {@code h2Dirs}.
     */
    public static TestDatabase of(String kind, Path h2Dirs) {
        return switch (kind) {
            case "postgres" -> postgres();
            case "mariadb" -> mariadb();
            default -> h2(h2Dirs.resolve(UUID.randomUUID().toString()));
        };
    }

    /** A fresh database on the MariaDB primary (see the class comment). */
    public static TestDatabase mariadb() {
        MariaDbServers.requireRunning();
        String name = "keyway_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String server = MariaDbServers.primaryUrl();
        try (Connection admin = MariaDbServers.asAdmin(server); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on the MariaDB primary " + server + " ("
                    + e.getMessage() + "): run bin/ensure-mariadb-replica", e);
        }
        return new TestDatabase(withDatabase(server, name), MariaDbServers.user(), MariaDbServers.password(), name,
                server);
    }

    /** Whether this database is on MariaDB. */
    public boolean isMariaDb() {
        return jdbcUrl.startsWith(MARIADB_PREFIX);
    }

    /** A fresh PostgreSQL database on the server named by the environment (see the class comment). */
    public static TestDatabase postgres() {
        return postgres(
                env(URL_ENV, DEFAULT_ADMIN_URL),
                env(USER_ENV, DEFAULT_USER),
                env(PASSWORD_ENV, DEFAULT_PASSWORD));
    }

    /**
     * A fresh PostgreSQL database created through {@code adminUrl}, an existing database that
     * {@code user} may connect to and create databases from.
     */
    public static TestDatabase postgres(String adminUrl, String user, String password) {
        String name = "keyway_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(adminUrl, user, password, "CREATE DATABASE " + name);
        return new TestDatabase(withDatabase(adminUrl, name), user, password, name, adminUrl);
    }

    /** An H2 database in file mode under {@code dir}, open to other processes (AUTO_SERVER), user sa. */
    public static TestDatabase h2(Path dir) {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("db") + ";AUTO_SERVER=TRUE";
        return new TestDatabase(url, "sa", "", "db", null);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The database name: {@code keyway_it_<random>} on PostgreSQL, {@code db} on H2. */
    public String name() {
        return name;
    }

    /** A new connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return adminUrl == null
                ? DriverManager.getConnection(jdbcUrl, user, password)
                : DriverManager.getConnection(jdbcUrl, properties(jdbcUrl, user, password));
    }

    /** Drops a PostgreSQL or MariaDB database, closing the connections still open to it; does nothing on H2. */
    @Override
    public void close() {
        if (adminUrl == null) {
            return;
        }
        if (!isMariaDb()) {
            execute(adminUrl, user, password, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            return;
        }
        try (Connection admin = MariaDbServers.asAdmin(adminUrl); Statement st = admin.createStatement()) {
            // MariaDB has no FORCE: end the sessions still in the database, whose locks would hold the DROP up
            List<Long> sessions = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE DB LIKE '"
                    + name + "%'")) {
                while (rs.next()) {
                    sessions.add(rs.getLong(1));
                }
            }
            for (long id : sessions) {
                try {
                    st.execute("KILL " + id);
                } catch (SQLException gone) {
                    // it ended meanwhile
                }
            }
            List<String> databases = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '"
                    + name + "%'")) {
                while (rs.next()) {
                    databases.add(rs.getString(1));
                }
            }
            for (String database : databases) {
                st.execute("DROP DATABASE IF EXISTS `" + database + "`");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + " on " + adminUrl, e);
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl + " as " + user + "]";
    }

    static String withDatabase(String url, String database) {
        String prefix = url.startsWith(MARIADB_PREFIX) ? MARIADB_PREFIX : POSTGRES_PREFIX;
        if (!url.startsWith(prefix)) {
            throw new IllegalArgumentException(URL_ENV + " must start with " + POSTGRES_PREFIX + ", but was " + url);
        }
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.indexOf('/', prefix.length());
        String server = slash < 0 ? base : base.substring(0, slash);
        return server + "/" + database + params;
    }

    private static void execute(String adminUrl, String user, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(adminUrl, properties(user, password));
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw failure(adminUrl, user, sql, e);
        }
    }

    private static RuntimeException failure(String url, String user, String sql, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08")) {
            return new IllegalStateException("no PostgreSQL at " + url
                    + ": start it with `pg_ctlcluster 15 main start` or set " + URL_ENV, e);
        }
        if (state.startsWith("28")) {
            return new IllegalStateException("PostgreSQL at " + url + " refused user " + user
                    + ": run bin/ensure-postgres (it sets the password of postgres to postgres) or set "
                    + USER_ENV + " and " + PASSWORD_ENV, e);
        }
        return new IllegalStateException("`" + sql + "` failed on " + url + " as " + user
                + " (SQLState " + state.toUpperCase(Locale.ROOT) + ")", e);
    }

    /**
     * The driver properties of a test's own connection to {@code url}: on MariaDB its session as the class comment
     * says; none but the user on H2, which refuses settings it does not know.
     */
    public static Properties properties(String url, String user, String password) {
        Properties properties = properties(user, password);
        if (url.startsWith(MARIADB_PREFIX)) {
            properties.setProperty("sessionVariables", MARIADB_SESSION);
            properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
        } else if (url.startsWith("jdbc:h2:")) {
            properties.clear();
            properties.setProperty("user", user);
            properties.setProperty("password", password);
        }
        return properties;
    }

    /** PostgreSQL driver properties: H2 refuses settings it does not know. */
    private static Properties properties(String user, String password) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        return properties;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
