package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.UserProject;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrationCatalog;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's migrations written outside this repository, as docs/WRITING-MIGRATIONS.md shows: the standalone Maven
 * project {@code docs/user-project} is copied out, built with plain {@code mvn package} (which runs its own
 * harness tests on H2), and its jar deployed with {@code --migrations} to a coordinator and a worker started as OS
 * processes, on a fresh PostgreSQL database and the test broker. Its migration adds one to each row's version:
 * every row ends at exactly 1.
 */
class OutsideReactorIT {

    private static final int ROWS = 3_000;
    private static final String MIGRATION = "users.lowercaseEmail";

    @TempDir
    Path dir;

    @Test
    void aProjectBuiltWithPlainMavenRunsItsMigrationOnServicesStartedWithItsJar() throws Exception {
        UserProject project = UserProject.copyTo(dir.resolve("user-project"));
        Path jar = project.mvnPackage();
        String report = project.testReport("com.example.migrations.UserMigrationsTest");
        assertTrue(report.contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0"),
                "the project's own harness tests ran in its build:\n" + report);
        assertTrue(MigrationCatalog.fromClasspath().find(MIGRATION).isEmpty(),
                "the services know the migration from the jar alone, not from this repository's classpath");

        try (TestDatabase db = TestDatabase.postgres()) {
            Sql sql = new Sql(Sql.options(db));
            sql.exec("CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(320), email_lower VARCHAR(320),"
                            + " version INT NOT NULL DEFAULT 0)",
                    "INSERT INTO users (id, email) SELECT g, 'User' || g || '@Example.COM'"
                            + " FROM generate_series(1, " + ROWS + ") g");
            try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(),
                    Sql.options(db), dir.resolve("logs"))) {
                cluster.coordinator("--migrations", jar.toString());
                cluster.worker("--migrations", jar.toString());
                long since = System.currentTimeMillis();
                assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION)));
                MigrationStatus done = cluster.awaitEnd(MIGRATION, since);

                assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
                assertEquals(ROWS, done.progress().processed());
                assertEquals(0, sql.count("SELECT COUNT(*) FROM users WHERE version <> 1"), "every row at exactly 1");
                assertEquals(0, sql.count("SELECT COUNT(*) FROM users WHERE email_lower IS DISTINCT FROM LOWER(email)"));
            }
        }
    }
}
