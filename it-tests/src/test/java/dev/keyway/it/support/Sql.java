package dev.keyway.it.support;

import dev.keyway.store.StoreOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain JDBC for setting up and checking test tables. */
public final class Sql {

    private final StoreOptions db;

    public Sql(StoreOptions db) {
        this.db = db;
    }

    /** The store options of a test database. */
    public static StoreOptions options(TestDatabase db) {
        return StoreOptions.of(db.jdbcUrl(), db.user(), db.password());
    }

    /** Whether the database is MariaDB (whose own SQL a test may have to speak). */
    public boolean isMariaDb() {
        return db.jdbcUrl().startsWith("jdbc:mariadb:");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), TestDatabase.properties(db.jdbcUrl(), db.user(), db.password()));
    }

    public void exec(String... statements) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    public long count(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** How many rows of {@code items} have a counter other than {@code n}: 0 when every batch applied once. */
    public long itemsNotAt(int n) throws SQLException {
        return count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" <> " + n);
    }

    /** Like {@link #items} on PostgreSQL, filled by one server-side statement (fast for large n). */
    public void itemsOnPostgres(int n) throws SQLException {
        itemsInOneStatement(n);
    }

    /**
     * Like {@link #items} on PostgreSQL or MariaDB, filled by one server-side statement (fast for large n): the
     * numbers 1..n from {@code generate_series} on PostgreSQL, from the sequence engine's {@code seq_1_to_n} on MariaDB.
     */
    public void itemsInOneStatement(int n) throws SQLException {
        exec("DROP TABLE IF EXISTS \"items\"",
                "CREATE TABLE \"items\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0,"
                        + " \"category\" VARCHAR(20), \"note\" VARCHAR(100))",
                "INSERT INTO \"items\" SELECT g, 0, CASE WHEN g % 10 = 0 THEN 'tenth' ELSE 'other' END, 'note ' || g"
                        + " FROM " + numbers(n) + " n",
                analyze("\"items\""));
    }

    /**
     * A subquery of the numbers 1 to {@code n} in its column {@code g}, to follow with an alias ({@code FROM
     * numbers(8) r, numbers(2000) s}): from {@code generate_series} on PostgreSQL, from the sequence engine's
     * {@code seq_1_to_n} on MariaDB.
     */
    public String numbers(int n) {
        return isMariaDb() ? "(SELECT seq AS g FROM seq_1_to_" + n + ")" : "(SELECT g FROM generate_series(1, " + n + ") g)";
    }

    /** The statement that refreshes {@code table}'s statistics: {@code ANALYZE} on PostgreSQL, {@code ANALYZE TABLE} on MariaDB. */
    public String analyze(String table) {
        return (isMariaDb() ? "ANALYZE TABLE " : "ANALYZE ") + table;
    }

    /** Creates {@code items(id bigint pk, counter int, category text, note text)} with ids 1..n. */
    public void items(int n) throws SQLException {
        exec("DROP TABLE IF EXISTS \"items\"",
                "CREATE TABLE \"items\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0,"
                        + " \"category\" VARCHAR(20), \"note\" VARCHAR(100))",
                "CREATE INDEX \"items_by_category\" ON \"items\" (\"category\", \"id\")");
        try (Connection c = connect(); var ps = c.prepareStatement(
                "INSERT INTO \"items\" (\"id\", \"category\", \"note\") VALUES (?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= n; i++) {
                ps.setLong(1, i);
                ps.setString(2, i % 10 == 0 ? "tenth" : "other");
                ps.setString(3, "note " + i);
                ps.addBatch();
                if (i % 5000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }
}
