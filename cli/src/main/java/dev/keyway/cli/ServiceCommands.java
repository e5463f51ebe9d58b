package dev.keyway.cli;

import dev.keyway.coordinator.CoordinatorMain;
import dev.keyway.worker.WorkerMain;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The long-running services, {@code coordinator} and {@code worker}, with the command line's flags. */
final class ServiceCommands {

    private ServiceCommands() {
    }

    /** Where a service finds the migrations: {@code --migrations PATH}, {@code --examples}. */
    static final class ServiceOptions {
        @Option(names = "--migrations", paramLabel = "PATH", description = "your migrations: a jar, or a directory of"
                + " jars, several separated by ':' (also KEYWAY_MIGRATIONS)")
        String migrations;
        @Option(names = "--examples", description = "the example migrations too (the launcher puts them on the"
                + " classpath; also KEYWAY_EXAMPLES=true)")
        boolean examples;

        String[] args() {
            return migrations == null ? new String[0] : new String[] {"--migrations", migrations};
        }
    }

    /** A long-running service: where it finds the migrations, Kafka's flags, and its own main. */
    abstract static class Service implements Callable<Integer> {
        /** A service's main, with arguments and an environment in place of the process's. */
        interface Main {
            void run(String[] args, Map<String, String> env) throws InterruptedException;
        }

        private final Main main;
        @CommandLine.Mixin
        ServiceOptions service;
        @CommandLine.Mixin
        KafkaOptions broker;

        Service(Main main) {
            this.main = main;
        }

        @Override
        public Integer call() throws Exception {
            main.run(service.args(), environment());
            return 0;
        }

        /** The environment the service runs with: the process's, with what its flags set. */
        Map<String, String> environment() {
            return broker.environment();
        }
    }

    @CommandLine.Command(name = "coordinator", description = "Runs a coordinator until stopped (SIGTERM, Ctrl-C): it"
            + " loads your migrations and decides what the workers do. Run two for a standby.")
    static final class Coordinator extends Service {
        @Option(names = "--full-speed", description = "no brakes by default: watch only the health limits set in the"
                + " environment, and run every segment at once (also KEYWAY_FULL_SPEED=true). Without it the"
                + " coordinator is gentle: 2 segments of a run at once, an application latency target of 20 ms and"
                + " the standbys' lag watched, unless set otherwise")
        boolean fullSpeed;

        Coordinator() {
            super(CoordinatorMain::run);
        }

        @Override
        Map<String, String> environment() {
            Map<String, String> env = new java.util.HashMap<>(super.environment());
            if (fullSpeed) {
                env.put("KEYWAY_FULL_SPEED", "true");
            }
            return env;
        }
    }

    @CommandLine.Command(name = "worker", description = "Runs a worker until stopped (SIGTERM, Ctrl-C): it applies"
            + " batches of your migrations. Run as many as the tasks topic has partitions.")
    static final class Worker extends Service {
        @Option(names = "--slices", paramLabel = "N", description = "slices of batches it runs at once, each on a"
                + " connection of its own, 1 to 64 (also WORKER_SLICES; default: the machine's cores). One worker with"
                + " N slices uses N cores as N workers of one slice would")
        Integer slices;

        Worker() {
            super(WorkerMain::run);
        }

        @Override
        Map<String, String> environment() {
            Map<String, String> env = new java.util.HashMap<>(super.environment());
            if (slices != null) {
                env.put("WORKER_SLICES", Integer.toString(slices));
            }
            return env;
        }
    }
}
