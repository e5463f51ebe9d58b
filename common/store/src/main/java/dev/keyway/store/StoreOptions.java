package dev.keyway.store;

import dev.keyway.store.internal.JdbcStore;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach the user's database. PostgreSQL ({@code jdbc:postgresql:..}) and MariaDB ({@code jdbc:mariadb:..}) are
 * the production stores; H2 ({@code jdbc:h2:file:..}) the embedded default; a URL of a database without a dialect is
 * refused.
 *
 * @param poolSize connections in the pool, 1 to 64; default {@value #DEFAULT_POOL_SIZE}
 * @param timeouts lock, statement and idle-in-transaction timeouts of every session
 * @param replicaUrls the JDBC URLs of the database's replicas, for the replication-lag health signal of a database
 *     whose primary does not know how far its replicas have applied (MariaDB: {@code REPLICA_JDBC_URLS}); Keyway
 *     connects to them as {@code user} unless a URL names its own user. Empty by default; PostgreSQL reads its
 *     standbys' lag on the primary and ignores them
 */
public record StoreOptions(String jdbcUrl, String user, String password, int poolSize, DbTimeouts timeouts,
                           List<String> replicaUrls) {

    public static final int DEFAULT_POOL_SIZE = 4;
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./data/keyway;AUTO_SERVER=TRUE";
    /** {@code //user:password@host}: neither driver takes credentials there (PostgreSQL reads them as the host name). */
    private static final Pattern USER_INFO = Pattern.compile("//[^/?;]*@");

    public StoreOptions {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl must not be null");
        if (!JdbcStore.supports(jdbcUrl)) {
            throw new IllegalArgumentException("jdbcUrl must be a " + JdbcStore.supportedDatabases() + " URL, but was "
                    + redact(jdbcUrl));
        }
        if (USER_INFO.matcher(jdbcUrl).find()) {
            throw new IllegalArgumentException("jdbcUrl must not carry a user or password before the host (//user:password@host):"
                    + " the JDBC drivers would take them for the host name and print them in their errors; set JDBC_USER and"
                    + " JDBC_PASSWORD instead, but was " + redact(jdbcUrl));
        }
        if (poolSize < 1 || poolSize > 64) {
            throw new IllegalArgumentException("poolSize must be between 1 and 64, but was " + poolSize);
        }
        Objects.requireNonNull(timeouts, "timeouts must not be null");
        replicaUrls = List.copyOf(Objects.requireNonNull(replicaUrls, "replicaUrls must not be null"));
        String scheme = scheme(jdbcUrl);
        for (String replica : replicaUrls) {
            if (!replica.startsWith(scheme) || USER_INFO.matcher(replica).find()) {
                throw new IllegalArgumentException("each of replicaUrls (REPLICA_JDBC_URLS) must be a " + scheme + ".. URL"
                        + " like jdbcUrl, without a user or password before the host, but was " + redact(replica));
            }
        }
    }

    public static StoreOptions of(String jdbcUrl, String user, String password) {
        return new StoreOptions(jdbcUrl, user, password, DEFAULT_POOL_SIZE, DbTimeouts.defaults(), List.of());
    }

    /**
     * From {@code JDBC_URL}, {@code JDBC_USER}, {@code JDBC_PASSWORD}, the timeouts ({@link DbTimeouts#fromEnv}) and
     * {@code REPLICA_JDBC_URLS} (comma-separated); the embedded H2 database when unset.
     */
    public static StoreOptions fromEnv(java.util.Map<String, String> env) {
        StoreOptions d = defaults();
        List<String> replicas = Arrays.stream(env.getOrDefault("REPLICA_JDBC_URLS", "").split(","))
                .map(String::trim).filter(u -> !u.isEmpty()).toList();
        return of(env.getOrDefault("JDBC_URL", d.jdbcUrl()), env.getOrDefault("JDBC_USER", d.user()),
                env.getOrDefault("JDBC_PASSWORD", d.password())).withTimeouts(DbTimeouts.fromEnv(env))
                .withReplicaUrls(replicas);
    }

    public static StoreOptions defaults() {
        return of(DEFAULT_JDBC_URL, "sa", "");
    }

    public StoreOptions withPoolSize(int size) {
        return new StoreOptions(jdbcUrl, user, password, size, timeouts, replicaUrls);
    }

    public StoreOptions withTimeouts(DbTimeouts t) {
        return new StoreOptions(jdbcUrl, user, password, poolSize, t, replicaUrls);
    }

    public StoreOptions withReplicaUrls(List<String> urls) {
        return new StoreOptions(jdbcUrl, user, password, poolSize, timeouts, urls);
    }

    /** {@code jdbc:mariadb:} of {@code jdbc:mariadb://host/db}. */
    private static String scheme(String jdbcUrl) {
        int colon = jdbcUrl.indexOf(':', "jdbc:".length());
        return colon < 0 ? jdbcUrl : jdbcUrl.substring(0, colon + 1);
    }

    /** The URL without secrets, for logs, errors and messages: see {@link #redact(String)}. */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    /**
     * A JDBC URL with its secrets replaced by {@code ***}: the password of user info
     * ({@code //user:secret@host}) and the values of {@code password}, {@code sslpassword} and {@code pwd}
     * parameters ({@code ?password=..&..}, H2's {@code ;PASSWORD=..}).
     */
    public static String redact(String jdbcUrl) {
        if (jdbcUrl == null) {
            return null;
        }
        return jdbcUrl.replaceAll("(//[^/@:?;]*:)[^/?;]*@", "$1***@")
                .replaceAll("(?i)((?:^|[?&;:])(?:ssl)?(?:password|pwd)=)[^&;]*", "$1***");
    }

    @Override
    public String toString() {
        return "StoreOptions[jdbcUrl=" + redactedUrl() + ", user=" + user + ", poolSize=" + poolSize + ", timeouts="
                + timeouts + (replicaUrls.isEmpty() ? "" : ", replicaUrls=" + replicaUrls.stream().map(StoreOptions::redact)
                .toList()) + "]";
    }
}
