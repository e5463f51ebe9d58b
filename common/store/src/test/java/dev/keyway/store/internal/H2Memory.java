package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.store.StoreOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh in-memory H2 database for one test (kept until {@link #drop}), and plain JDBC on it as {@code sa}: how the
 * store's unit tests set up their tables and check what a batch left in them.
 */
final class H2Memory {

    private final String url;

    /** @param name the start of the database's name, for the logs; a random part makes it the test's own */
    H2Memory(String name) {
        this.url = "jdbc:h2:mem:" + name + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    }

    String url() {
        return url;
    }

    StoreOptions options() {
        return StoreOptions.of(url, "sa", "");
    }

    void exec(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** The first column of the query's first row, as a number. */
    long count(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The query's first row as the store reads rows ({@link Sql.RowReader}). */
    ObjectNode row(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return new Sql(new H2Dialect()).readRow(rs);
        }
    }

    /** Drops everything in the database (it lives as long as the JVM otherwise). */
    void drop() throws SQLException {
        exec("DROP ALL OBJECTS");
    }
}
