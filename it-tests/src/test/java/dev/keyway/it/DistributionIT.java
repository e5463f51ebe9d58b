package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.UserJar;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code mvn package} builds ({@code dist/target/keyway-VERSION}) and {@code bin/migrate} runs:
 * its launcher starts the services from {@code lib/} with a user's jar, the example migrations join only when asked
 * for, and a worker that lacks the jar a migration needs says so in the status.
 */
class DistributionIT {

    private static final int ROWS = 1_500;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @TempDir
    Path dir;

    private static Path launcher() {
        Path home = Path.of(System.getProperty("keyway.dist", "../dist/target/keyway-0.1.0-SNAPSHOT"));
        Path keyway = home.resolve("bin/keyway");
        assertTrue(Files.isExecutable(keyway), "no distribution at " + home + ": build it with mvn package -pl dist -am");
        return keyway.toAbsolutePath();
    }

    @Test
    void aUsersMigrationMayShareItsNameWithAnExampleBecauseTheExamplesJoinOnlyWhenAskedFor() throws Exception {
        Path keyway = launcher();
        Path jar = UserJar.build(dir, "acme.defaults", "setDefaultValue", true);
        try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), items.options(),
                dir.resolve("logs"))) {
            ServiceProcess both = cluster.launch("coordinator-with-examples", keyway,
                    "coordinator", "--migrations", jar.toString(), "--examples");
            assertEquals(2, both.await(120), both.output());
            assertTrue(both.output().contains("two places define a migration named 'setDefaultValue'"), both.output());

            cluster.launch("coordinator", keyway, "coordinator", "--migrations", jar.toString());
            cluster.launch("worker", keyway, "worker", "--migrations", jar.toString());
            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of("setDefaultValue")));
            MigrationStatus done = cluster.awaitEnd("setDefaultValue", since);
            assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
            assertEquals(ROWS, done.progress().processed());
            assertEquals(0, items.sql().itemsNotAt(1), "the user's counter + 1, not the example, ran on every row once");
        }
    }

    @Test
    void aWorkerWithoutTheJarFailsTheRunNamingItselfAndARetryOnceDeployedLeavesEveryRowAtOne() throws Exception {
        Path keyway = launcher();
        Path jar = UserJar.build(dir, "acme.billing", "acmeCount", true);
        try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), items.options(),
                dir.resolve("logs"))) {
            cluster.launch("coordinator", keyway, "coordinator", "--migrations", jar.toString());
            // a worker with the examples alone (as the image's KEYWAY_EXAMPLES=true gives it), not the user's jar
            ServiceProcess stale = cluster.withEnv("KEYWAY_EXAMPLES", "true").launch("worker-stale", keyway, "worker");
            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of("acmeCount")));
            MigrationStatus failed = cluster.awaitEnd("acmeCount", since);
            assertEquals(MigrationState.FAILED, failed.state());
            assertTrue(failed.failure().error().contains("unknown migration 'acmeCount' on worker worker-stale")
                    && failed.failure().error().contains("deploy the jar"), failed.failure().error());
            assertEquals(0, items.sql().itemsNotAt(0), "nothing applied");

            stale.stop();
            cluster.launch("worker", keyway, "worker", "--migrations", jar.toString());
            long again = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of("acmeCount")));
            MigrationStatus done = cluster.awaitEnd("acmeCount", again);
            assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
            assertEquals(0, items.sql().itemsNotAt(1));
        }
    }
}
