package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.UserJar;
import dev.keyway.message.MigrationState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line an operator expects (issue 16), through the distribution's real launcher ({@code bin/keyway}, which
 * {@code bin/migrate} runs) as processes against a real broker and database: help on every command, the build's
 * version, Kafka's own flags winning over the environment, {@code list}, and what {@code status} says of a name it
 * does not know.
 */
class CommandLineIT {

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(300);

    @TempDir
    Path dir;

    private int runs;

    private static Path launcher() {
        Path home = Path.of(System.getProperty("keyway.dist", "../dist/target/keyway-0.1.0-SNAPSHOT"));
        Path keyway = home.resolve("bin/keyway");
        assertTrue(Files.isExecutable(keyway), "no distribution at " + home + ": build it with mvn package -pl dist -am");
        return keyway.toAbsolutePath();
    }

    /** A command run to its end: its exit code and what it printed (stdout and stderr). */
    private record Ran(int exit, String output) {
    }

    private Ran run(ProcessCluster cluster, String... args) throws Exception {
        ServiceProcess p = cluster.launch("cli-" + (++runs) + "-" + args[0], launcher(), args);
        int exit = p.await(120);
        return new Ran(exit, p.output());
    }

    /** A command that talks to Kafka, given the broker by the flag alone (the environment names none that answers). */
    private Ran kafka(ProcessCluster cluster, String bootstrap, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", bootstrap));
        return run(cluster, all.toArray(String[]::new));
    }

    @Test
    void everyCommandAnswersHelpAndTheVersionIsTheBuildsNamingTheLauncherUsed() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), items.options(),
                dir.resolve("logs"))) {
            for (String command : List.of("run", "status", "worker", "coordinator", "list", "history")) {
                Ran help = run(cluster, command, "--help");
                assertEquals(0, help.exit(), help.output());
                assertTrue(help.output().startsWith("Usage: keyway " + command), help.output());
                assertTrue(help.output().contains("--bootstrap-server=HOST:PORT"), help.output());
            }
            Ran helpRun = run(cluster, "help", "run");
            assertEquals(0, helpRun.exit(), helpRun.output());
            assertTrue(helpRun.output().startsWith("Usage: keyway run"), helpRun.output());

            Ran top = run(cluster, "--help");
            assertTrue(top.output().contains("\n  worker ") && top.output().contains("\n  list "), top.output());

            Ran version = run(cluster, "--version");
            assertEquals(0, version.exit(), version.output());
            assertEquals("keyway " + System.getProperty("keyway.version"), version.output().trim());

            // what bin/migrate sets before it runs the distribution's launcher
            Ran viaMigrate = run(cluster.withEnv("KEYWAY_LAUNCHER", "bin/migrate"), "status", "--help");
            assertTrue(viaMigrate.output().startsWith("Usage: bin/migrate status"), viaMigrate.output());
        }
    }

    @Test
    void listStatusAndTheServicesWorkWithKafkasFlagsAgainstARealBroker() throws Exception {
        Path jar = UserJar.build(dir, "acme.billing", "acmeCount", true);
        String bootstrap = KafkaTestCluster.shared().bootstrapServers();
        try (ProcessCluster cluster = new ProcessCluster(bootstrap, items.options(), dir.resolve("logs"))) {
            // nothing answers there: what works, works because the flag wins over the environment
            cluster.withEnv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
            // and the coordinator as a user starts it: gentle by default (issue 16), batches aiming at 10 ms
            cluster.withEnv("KEYWAY_FULL_SPEED", "");
            ServiceProcess coordinator = cluster.launch("coordinator", launcher(), "coordinator", "--migrations",
                    jar.toString(), "--bootstrap-server", bootstrap);
            ServiceProcess worker = cluster.withEnv("METRICS_PORT", "0").launch("worker", launcher(), "worker",
                    "--migrations", jar.toString(), "--bootstrap-server", bootstrap);

            Ran before = kafka(cluster, bootstrap, "list", "--timeout", "60");
            assertEquals(0, before.exit(), before.output());
            assertTrue(before.output().matches("(?s).*\nacmeCount +never run +items +id +sized by time: target 10 ms,"
                    + " at most 1000 rows\n.*"), before.output());

            long since = System.currentTimeMillis();
            Ran started = kafka(cluster, bootstrap, "run", "acmeCount");
            assertEquals(0, started.exit(), started.output());
            assertTrue(started.output().contains("acmeCount: started (planning segments, sized by time: target 10 ms,"
                    + " at most 1000 rows, from the start)"), started.output());
            assertEquals(MigrationState.SUCCESS, cluster.awaitEnd("acmeCount", since).state());
            assertEquals(0, items.sql().itemsNotAt(1), "every row once");

            Ran again = kafka(cluster, bootstrap, "run", "acmeCount");
            assertTrue(again.output().contains("give --from-start"), again.output());

            Ran after = kafka(cluster, bootstrap, "list", "--json");
            assertEquals(0, after.exit(), after.output());
            assertTrue(after.output().contains("\"name\" : \"acmeCount\"") && after.output().contains("\"state\" : \"success\""),
                    after.output());

            Ran history = kafka(cluster, bootstrap, "history", "acmeCount");
            assertEquals(0, history.exit(), history.output());
            assertTrue(history.output().matches("(?s).*\\n\\S+ \\S+  acmeCount +\\S+ +started +\\S+ +sized by time: target 10 ms,"
                    + " at most 1000 rows;.* from the start\\n.* acmeCount +\\S+ +succeeded +- +300 rows; in .*"),
                    history.output());
            Ran historyJson = kafka(cluster, bootstrap, "history", "--json");
            assertEquals(2, historyJson.output().lines().filter(l -> l.startsWith("{\"type\":\"historyEntry\"")).count(),
                    historyJson.output());

            Ran unknown = kafka(cluster, bootstrap, "status", "nosuch");
            assertEquals(1, unknown.exit(), unknown.output());
            assertTrue(unknown.output().contains("no migration named nosuch (known: acmeCount)"), unknown.output());
            assertFalse(unknown.output().contains("MIGRATION"), "no table header for nothing: " + unknown.output());

            assertTrue(worker.output().matches("(?s).*metrics at http://127\\.0\\.0\\.1:\\d+/metrics.*"), worker.output());

            coordinator.stop();
            Ran alone = kafka(cluster, bootstrap, "list", "--timeout", "3");
            assertEquals(1, alone.exit(), alone.output());
            assertTrue(alone.output().contains("no coordinator answered within 3 s"), alone.output());
            assertTrue(alone.output().matches("(?s).*\nacmeCount +success .*definition unknown.*"), alone.output());
        }
    }
}
