package com.example.migrations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyway.testing.MigrationHarness;
import dev.keyway.testing.RunResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserMigrationsTest {

    private MigrationHarness db;

    @BeforeEach
    void usersTable() throws Exception {
        db = MigrationHarness.h2();
        db.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(320),"
                + " email_lower VARCHAR(320), version INT NOT NULL DEFAULT 0)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void lowerCasesEmailsAndLeavesUsersWithoutOne() throws Exception {
        db.execute("INSERT INTO users (id, email) VALUES (1, 'Ada@Example.com'), (2, 'GRACE@EXAMPLE.COM'), (3, NULL)");

        RunResult result = db.runToCompletion(UserMigrations.LOWERCASE_EMAIL).assertSucceeded();

        assertEquals(3, result.rowsProcessed());
        assertEquals(2, result.rowsPatched());
        assertEquals(1, db.queryLong("SELECT COUNT(*) FROM users WHERE email_lower = 'grace@example.com'"));
        assertEquals(0, db.queryLong("SELECT version FROM users WHERE id = 3"));
    }

    @Test
    void everyRowIsMigratedExactlyOnceAcrossBatches() throws Exception {
        try (Connection c = db.connection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO users (id, email) VALUES (?, ?)")) {
            for (int id = 1; id <= 1_000; id++) {
                insert.setLong(1, id);
                insert.setString(2, "User" + id + "@Example.COM");
                insert.addBatch();
            }
            insert.executeBatch();
        }

        RunResult result = db.runToCompletion(UserMigrations.LOWERCASE_EMAIL.withBatchSize(100)).assertSucceeded();

        assertEquals(1_000, result.rowsProcessed());
        assertEquals(0, db.queryLong("SELECT COUNT(*) FROM users WHERE version <> 1"));
        assertEquals(0, db.queryLong("SELECT COUNT(*) FROM users WHERE email_lower <> LOWER(email)"));
    }
}
