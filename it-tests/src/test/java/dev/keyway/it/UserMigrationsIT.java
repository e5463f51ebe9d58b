package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.UserJar;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrationCatalog;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own migrations jar, deployed with {@code --migrations PATH} / {@code KEYWAY_MIGRATIONS}: the services
 * load it (a jar, a directory of jars), run a migration only that jar defines, and refuse what they cannot use
 * with an error naming the path.
 */
class UserMigrationsIT {

    private static final int ROWS = 2_000;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @TempDir
    Path dir;

    @Test
    void aJarOrADirectoryOfJarsIsLoadedAndWhatCannotBeUsedIsRefusedNamingThePath() throws Exception {
        Path acme = UserJar.build(dir, "acme.billing", "acmeCount", true);
        assertTrue(UserJar.names(MigrationCatalog.fromClasspathAnd(acme.toString())).contains("acmeCount"));
        assertTrue(UserJar.names(MigrationCatalog.fromClasspathAnd(null)).stream().noneMatch("acmeCount"::equals),
                "nothing of the jar without the option");

        Path jars = Files.createDirectories(dir.resolve("migrations"));
        Files.copy(acme, jars.resolve("acme.jar"));
        Files.copy(UserJar.build(dir, "acme.other", "acmeOther", true), jars.resolve("other.jar"));
        assertTrue(UserJar.names(MigrationCatalog.fromClasspathAnd(jars.toString())).containsAll(
                java.util.List.of("acmeCount", "acmeOther")));

        Files.copy(UserJar.build(dir, "acme.dup", "acmeCount", true), jars.resolve("zz-dup.jar"));
        String twice = assertThrows(IllegalArgumentException.class,
                () -> MigrationCatalog.fromClasspathAnd(jars.toString())).getMessage();
        assertTrue(twice.contains("'acmeCount'") && twice.contains("acme.jar") && twice.contains("zz-dup.jar"), twice);

        String missing = assertThrows(IllegalArgumentException.class,
                () -> MigrationCatalog.fromClasspathAnd(dir.resolve("nope.jar").toString())).getMessage();
        assertTrue(missing.contains("nope.jar") && missing.contains("does not exist"), missing);
        Path bare = UserJar.build(dir, "acme.bare", "acmeBare", false);
        String noProvider = assertThrows(IllegalArgumentException.class,
                () -> MigrationCatalog.fromClasspathAnd(bare.toString())).getMessage();
        assertTrue(noProvider.contains("acme.bare.jar has no MigrationProvider"), noProvider);
        assertTrue(UserJar.names(MigrationCatalog.fromClasspathAnd(
                Files.createDirectories(dir.resolve("empty")) + File.pathSeparator + acme)).contains("acmeCount"),
                "a deploy directory without jars yet adds nothing");
    }

    @Test
    void servicesStartedWithTheUsersJarRunAMigrationOnlyItDefinesAndEveryRowEndsAtOne() throws Exception {
        Path acme = UserJar.build(dir, "acme.billing", "acmeCount", true);
        try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), items.options(),
                dir.resolve("logs")).withEnv("KEYWAY_MIGRATIONS", acme.toString())) {
            cluster.coordinator();
            cluster.worker();
            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of("acmeCount")));
            MigrationStatus done = cluster.awaitEnd("acmeCount", since);
            assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
            assertEquals(ROWS, done.progress().processed());
            assertEquals(0, items.sql().itemsNotAt(1));
        }
    }
}
