package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exact split points come from one snapshot of the table: rows deleted by the application between the queries of one
 * plan (issue 15, 9: heavy deletes and inserts between two {@code OFFSET} queries in READ COMMITTED gave p2 < p1, and
 * segments that overlapped). H2 in memory; the application's deletes run on a second connection, between the first
 * and the second query.
 */
class SplitPointQueriesTest {

    private final String url = "jdbc:h2:mem:split" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    private Connection app;

    @BeforeEach
    void createTable() throws Exception {
        app = DriverManager.getConnection(url, "sa", "");
        try (Statement st = app.createStatement()) {
            st.execute("CREATE TABLE \"t\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL DEFAULT 0)");
            st.execute("INSERT INTO \"t\" (\"id\") SELECT X FROM SYSTEM_RANGE(1, 1000)");
        }
    }

    @AfterEach
    void close() throws Exception {
        try (Statement st = app.createStatement()) {
            st.execute("DROP ALL OBJECTS");
        }
        app.close();
    }

    /**
     * A connection whose first query, once it ran, lets the application move most of the table below it: the rows
     * past the first split point deleted, as many inserted before the start.
     */
    private Connection deletingAfterTheFirstQuery(Connection c) {
        boolean[] deleted = {false};
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, m, args) -> {
                    Object result = invoke(m, c, args);
                    if (!m.getName().equals("prepareStatement")) {
                        return result;
                    }
                    PreparedStatement ps = (PreparedStatement) result;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                            (p, sm, sargs) -> {
                                Object r = invoke(sm, ps, sargs);
                                if (sm.getName().equals("executeQuery") && !deleted[0]) {
                                    deleted[0] = true;
                                    try (Statement st = app.createStatement()) {
                                        st.execute("DELETE FROM \"t\" WHERE \"id\" > 250");
                                        st.execute("INSERT INTO \"t\" (\"id\") SELECT -X FROM SYSTEM_RANGE(1, 750)");
                                    }
                                }
                                return r;
                            });
                });
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void exactSplitPointsComeFromOneSnapshotAndRiseStrictly() throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            TableInfo info = new H2Dialect().readTable(c, TableName.parse("t"), url);
            c.commit();
            List<String> points = SplitPointQueries.read(deletingAfterTheFirstQuery(c), new Sql(new H2Dialect()), info,
                    new KeyOrder(info, null), 1000, 4);
            c.commit();
            assertEquals(List.of("[250]", "[500]", "[750]"), points, "the table as the plan's first query saw it");
        }
    }
}
