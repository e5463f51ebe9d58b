package dev.keyway.cli;

import static dev.keyway.cli.KeywayCli.env;
import static dev.keyway.cli.KeywayCli.requireExamples;

import dev.keyway.examples.ExampleSchema;
import dev.keyway.store.StoreOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands for trying Keyway on one machine: the demo, a local Kafka broker, the example tables. */
final class LocalCommands {

    private LocalCommands() {
    }

    @CommandLine.Command(name = "demo", description = "Runs the example migrations end to end on the embedded defaults: "
            + "a local Kafka broker, an H2 file database, a coordinator and workers as processes.")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--rows", description = "users to seed (default ${DEFAULT-VALUE})", defaultValue = "50000")
        int rows;
        @Option(names = "--workers", description = "worker processes (default ${DEFAULT-VALUE})", defaultValue = "2")
        int workers;
        @Option(names = "--dir", description = "working directory, wiped first (default ${DEFAULT-VALUE})",
                defaultValue = "data/demo")
        Path dir;

        @Override
        public Integer call() throws Exception {
            requireExamples("demo");
            return new DemoRun(dir.toAbsolutePath(), rows, workers, System.out).run();
        }
    }

    @CommandLine.Command(name = "kafka", description = "Starts or stops a local Kafka broker (data in data/kafka).")
    static final class Kafka implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "start|stop", description = "start or stop the broker")
        String action;
        @Option(names = "--port", defaultValue = "9092")
        int port;
        static final String DEFAULT_DIR = "data/kafka";
        @Option(names = "--dir", defaultValue = DEFAULT_DIR)
        Path dir;

        @Override
        public Integer call() {
            String dirOption = dir.equals(Path.of(DEFAULT_DIR)) ? "" : " --dir " + dir;
            if ("start".equals(action)) {
                LocalKafka k = LocalKafka.start(dir.toAbsolutePath(), port, port + 1, System.getProperty("java.class.path"));
                System.out.println("Kafka broker running at " + k.bootstrapServers() + " (pid " + k.pid()
                        + "); stop it with bin/migrate kafka stop" + dirOption);
                return 0;
            }
            if ("stop".equals(action)) {
                if (LocalKafka.stop(dir.toAbsolutePath())) {
                    System.out.println("Kafka broker of " + dir + " stopped");
                } else {
                    System.out.println("no Kafka broker of " + dir + " runs: nothing was stopped (one started with"
                            + " --dir stops with the same --dir)");
                }
                return 0;
            }
            throw new CommandLine.ParameterException(new CommandLine(this), "expected start or stop, but was " + action);
        }
    }

    @CommandLine.Command(name = "seed", description = "Creates the example tables in JDBC_URL and fills them.")
    static final class Seed implements Callable<Integer> {
        @Option(names = "--rows", defaultValue = "100000", description = "users to seed (default ${DEFAULT-VALUE})")
        int rows;

        @Override
        public Integer call() throws Exception {
            requireExamples("seed");
            StoreOptions o = StoreOptions.fromEnv(env());
            ExampleSchema.seed(o.jdbcUrl(), o.user(), o.password(), rows);
            System.out.printf("seeded %,d users (and teams, embeddings, chunks) in %s%n", rows, o.redactedUrl());
            return 0;
        }
    }
}
