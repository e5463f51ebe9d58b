package dev.keyway.it.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String name;
    private final String adminUrl;

    private TestDatabase(String jdbcUrl, String user, String password, String name, String adminUrl) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.name = name;
        this.adminUrl = adminUrl;
    }

    /** {@link #postgres()} for {@code "postgres"}, else {@link #h2} in a fresh directory under {@code h2Dirs}. */
    public static TestDatabase of(String kind, Path h2Dirs) {
        return kind.equals("postgres") ? postgres() : h2(h2Dirs.resolve(UUID.randomUUID().toString()));
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
                : DriverManager.getConnection(jdbcUrl, properties(user, password));
    }

    /** Drops a PostgreSQL database, closing the connections still open to it; does nothing on H2. */
    @Override
    public void close() {
        if (adminUrl != null) {
            execute(adminUrl, user, password, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl + " as " + user + "]";
    }

    static String withDatabase(String url, String database) {
        if (!url.startsWith(POSTGRES_PREFIX)) {
            throw new IllegalArgumentException(URL_ENV + " must start with " + POSTGRES_PREFIX + ", but was " + url);
        }
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.indexOf('/', POSTGRES_PREFIX.length());
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
