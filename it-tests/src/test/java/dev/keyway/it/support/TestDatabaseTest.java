package dev.keyway.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestDatabaseTest {

    @Test
    void givesEachTestItsOwnPostgresDatabaseAndDropsItOnClose() throws SQLException {
        TestDatabase first = TestDatabase.postgres();
        try (TestDatabase second = TestDatabase.postgres();
             Connection connection = first.connect();
             Statement statement = connection.createStatement()) {
            assertNotEquals(first.name(), second.name());
            assertTrue(first.name().matches("keyway_it_[0-9a-f]{12}"), first.name());
            statement.execute("CREATE TABLE users(id bigserial PRIMARY KEY, name text)");
            statement.execute("INSERT INTO users(name) VALUES ('ada')");
            try (ResultSet current = statement.executeQuery("SELECT current_database()")) {
                current.next();
                assertEquals(first.name(), current.getString(1));
            }
            // the connection is still open: close() must drop the database anyway
            first.close();
        }
        assertFalse(exists(first.name()), first.name() + " still exists");
    }

    @Test
    void givesAnH2FileDatabaseInTheDirectory(@TempDir Path dir) throws SQLException {
        try (TestDatabase h2 = TestDatabase.h2(dir);
             Connection connection = h2.connect();
             Statement statement = connection.createStatement()) {
            assertEquals("jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=TRUE", h2.jdbcUrl());
            statement.execute("CREATE TABLE users(id bigint PRIMARY KEY)");
            statement.execute("INSERT INTO users VALUES (1)");
        }
        assertTrue(dir.resolve("db.mv.db").toFile().exists());
    }

    @Test
    void failsWithHowToStartPostgresWhenNothingListens() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TestDatabase.postgres("jdbc:postgresql://localhost:1/postgres", "postgres", "postgres"));
        assertEquals("no PostgreSQL at jdbc:postgresql://localhost:1/postgres: start it with "
                + "`pg_ctlcluster 15 main start` or set TEST_JDBC_URL", e.getMessage());
    }

    @Test
    void pointsTheUrlAtTheNewDatabaseKeepingHostAndParameters() {
        assertEquals("jdbc:postgresql://db:5433/keyway_it_x?sslmode=disable",
                TestDatabase.withDatabase("jdbc:postgresql://db:5433/postgres?sslmode=disable", "keyway_it_x"));
        assertEquals("jdbc:postgresql://localhost/keyway_it_x",
                TestDatabase.withDatabase("jdbc:postgresql://localhost", "keyway_it_x"));
    }

    private static boolean exists(String database) throws SQLException {
        try (TestDatabase admin = adminView();
             Connection connection = admin.connect();
             PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            query.setString(1, database);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Any fresh database serves to look at pg_database. */
    private static TestDatabase adminView() {
        return TestDatabase.postgres();
    }
}
