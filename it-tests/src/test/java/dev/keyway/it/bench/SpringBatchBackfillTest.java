package dev.keyway.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.keyway.it.support.TestDatabase;

import org.junit.jupiter.api.Test;

class SpringBatchBackfillTest {

    private static final int ROWS = 20_000;

    @Test
    void backfillsEveryRowExactlyOnceThroughAPartitionedStep() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
             HikariDataSource ds = dataSource(db, 8)) {
            createBench(ds, ROWS);

            long written = SpringBatchBackfill.run(ds, 1000, 4);

            assertEquals(ROWS, written);
            assertEquals(ROWS, count(ds, "SELECT count(*) FROM bench WHERE touched = 1"
                    + " AND derived = name || '<' || email || '>'"));
            assertEquals(0, count(ds, "SELECT count(*) FROM bench WHERE touched <> 1 OR derived IS NULL"));
            assertEquals("user17<user17@example.com>",
                    string(ds, "SELECT derived FROM bench WHERE id = 17"));
            // one job instance, four worker partitions, all completed, in the JDBC job repository
            assertEquals(1, count(ds, "SELECT count(*) FROM batch_job_execution WHERE status = 'COMPLETED'"));
            assertEquals(4, count(ds, "SELECT count(*) FROM batch_step_execution"
                    + " WHERE step_name LIKE 'backfillWorker:%' AND status = 'COMPLETED'"));
        }
    }

    @Test
    void eachRunIsANewJobInstanceOnAnExistingSchema() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
             HikariDataSource ds = dataSource(db, 4)) {
            createBench(ds, 1_000);

            assertEquals(1_000, SpringBatchBackfill.run(ds, 100, 2));
            assertEquals(1_000, SpringBatchBackfill.run(ds, 300, 1));

            assertEquals(1_000, count(ds, "SELECT count(*) FROM bench WHERE touched = 2"));
            assertEquals(2, count(ds, "SELECT count(*) FROM batch_job_instance"));
        }
    }

    @Test
    void aLimitedRunAcquiresEachWrittenRowFromTheLimiterAcrossItsPartitions() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
             HikariDataSource ds = dataSource(db, 8)) {
            createBench(ds, 5_000);
            RateLimiter limiter = RateLimiter.of(20_000);

            long t0 = System.nanoTime();
            long written = SpringBatchBackfill.run(ds, 500, 4, limiter);
            double seconds = (System.nanoTime() - limiter.firstAcquireNanos()) / 1e9;

            assertEquals(5_000, written);
            assertEquals(5_000, limiter.acquired());
            // 5,000 rows at 20,000/s: the last chunk of 500 may start 0.225 s after the first
            assertTrue(seconds >= 0.225, "the run took " + seconds + " s from its first chunk");
            assertTrue(t0 <= limiter.firstAcquireNanos());
            assertEquals(5_000, count(ds, "SELECT count(*) FROM bench WHERE touched = 1"));
        }
    }

    static HikariDataSource dataSource(TestDatabase db, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }

    static void createBench(DataSource ds, int rows) throws SQLException {
        try (Connection connection = ds.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE bench (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                    + " email VARCHAR(200), derived VARCHAR(200), touched INT NOT NULL DEFAULT 0)");
            statement.execute("INSERT INTO bench SELECT g, 'user' || g, 'user' || g || '@example.com', NULL, 0"
                    + " FROM generate_series(1, " + rows + ") g");
        }
    }

    private static long count(DataSource ds, String sql) throws SQLException {
        try (Connection connection = ds.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String string(DataSource ds, String sql) throws SQLException {
        try (Connection connection = ds.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
