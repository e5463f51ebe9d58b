package dev.keyway.cli;

import dev.keyway.coordinator.CoordinatorMain;
import dev.keyway.worker.WorkerMain;
import dev.keyway.examples.ExampleSchema;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Limits;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import dev.keyway.store.StoreOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyway} (the distribution's launcher) and {@code bin/migrate}: the services, and the commands that run, watch
 * and operate migrations. Configured by the same environment as the services; the commands that talk to Kafka also
 * take Kafka's own flags ({@link KafkaOptions}). Every command answers {@code --help} and {@code --version}, and
 * {@code help COMMAND} prints a command's help.
 */
@CommandLine.Command(name = "keyway", mixinStandardHelpOptions = true, versionProvider = KeywayVersion.class,
        scope = CommandLine.ScopeType.INHERIT, description = "Online table migrations on Kafka.",
        subcommands = {KeywayCli.Demo.class, KeywayCli.Kafka.class, KeywayCli.Seed.class, KeywayCli.Coordinator.class,
                KeywayCli.Worker.class, KeywayCli.Run.class, KeywayCli.Retry.class, KeywayCli.Status.class,
                ListMigrations.class, KeywayCli.Cancel.class, KeywayCli.Pause.class, KeywayCli.Resume.class,
                KeywayCli.Configure.class, CommandLine.HelpCommand.class})
public final class KeywayCli {

    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /** The system property through which a launcher gives its own name, for the usage lines. */
    static final String LAUNCHER_PROPERTY = "keyway.launcher";

    private final Map<String, String> environment;
    private final Function<KafkaSettings, KafkaGateway> connector;

    /** The command line of this process: its environment, and real connections to Kafka. */
    public KeywayCli() {
        this(System.getenv(), settings -> KafkaGateway.connect(settings, Duration.ofSeconds(10)));
    }

    /**
     * @param environment what the commands read in place of the process's environment
     * @param connector how the commands that talk to Kafka connect (a test gives a fake)
     */
    KeywayCli(Map<String, String> environment, Function<KafkaSettings, KafkaGateway> connector) {
        this.environment = Map.copyOf(environment);
        this.connector = connector;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new KeywayCli()).execute(args));
    }

    /**
     * The command line as {@link #main} runs it: usage lines name the launcher that started it ({@code bin/migrate}
     * or the distribution's {@code keyway}: the property {@value #LAUNCHER_PROPERTY}, else {@code keyway}), and an
     * error ends it with exit code 2 and one line.
     */
    static CommandLine commandLine(KeywayCli cli) {
        return new CommandLine(cli).setCommandName(System.getProperty(LAUNCHER_PROPERTY, "keyway"))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // a driver's message may quote JDBC_URL (e.g. "No suitable driver found for jdbc:..?password=..")
                    cmd.getErr().println("error: " + StoreOptions.redact(e.getMessage()));
                    return 2;
                });
    }

    static Map<String, String> env() {
        return System.getenv();
    }

    Map<String, String> environment() {
        return environment;
    }

    KafkaGateway connect(KafkaSettings settings) {
        return connector.apply(settings);
    }

    /** Who asks, for the status: {@code KEYWAY_REQUESTED_BY}, else the user and the host, {@code user@host}. */
    static String requester() {
        String given = env().get("KEYWAY_REQUESTED_BY");
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        String host = env().getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
        }
        return System.getProperty("user.name") + "@" + host;
    }

    /**
     * Fails with what to do when the example migrations are not on the classpath: the distribution keeps them out of
     * it unless asked for ({@code --examples}, {@code KEYWAY_EXAMPLES=true}; the demo and seed ask by themselves).
     */
    static void requireExamples(String command) {
        try {
            Class.forName("dev.keyway.examples.ExampleSchema", false, KeywayCli.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(command + " needs the example migrations, which are not on the classpath:"
                    + " run it with --examples (or KEYWAY_EXAMPLES=true)");
        }
    }

    /** Prints an answer; returns the exit code. */
    static int report(PrintStream out, Event answer) {
        if (answer instanceof Event.CommandRejected r) {
            out.println("refused: " + r.reason());
            return 1;
        }
        Event.CommandAccepted a = (Event.CommandAccepted) answer;
        out.println(a.migration() + ": " + a.action() + (a.detail() == null ? "" : " (" + a.detail() + ")"));
        return 0;
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
        Worker() {
            super(WorkerMain::run);
        }
    }

    @CommandLine.Command(name = "run", description = "Runs a migration, then each of --next in order.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION", description = "the migration's name")
        String fn;
        @Option(names = "--next", split = ",", description = "migrations to run after it, in order")
        List<String> next = List.of();
        @Option(names = "--dry-run", description = "run one batch, roll it back, show before/after")
        boolean dryRun;
        @Option(names = "--cursor", description = "start after this cursor (from a status)")
        String cursor;
        @Option(names = "--from-start", description = "start over (cursor null)")
        boolean fromStart;
        @Option(names = "--batch-size", description = "documents per batch for this run")
        Integer batchSize;
        @Option(names = "--segments", description = "parallel segments for this run")
        Integer segments;
        @Option(names = "--wait", description = "show live progress until the series ends (exit code 0 when it succeeded, 1"
                + " when a migration failed or was canceled): bars on a terminal, else a line per change")
        boolean await;
        @Option(names = "--max-rows-per-second", description = "the most rows per second for this run, across all workers")
        Integer maxRowsPerSecond;
        @Option(names = "--target-batch-millis", description = "size each batch to take about this long (up to the"
                + " batch size); without --batch-size this is the default, with the coordinator's TARGET_BATCH_MILLIS")
        Integer targetBatchMillis;
        @Option(names = "--max-concurrency", description = "the most segments with a batch in flight at once; 0 = all"
                + " (without it, the coordinator's MAX_CONCURRENCY: 2, or all at full speed)")
        Integer maxConcurrency;

        @Override
        public Integer call() {
            Command.StartAt startAt = fromStart ? Command.StartAt.beginning()
                    : cursor != null ? Command.StartAt.after(cursor) : null;
            // 0 asks for every segment: as many as a run may have, so that the coordinator's default does not apply
            Integer concurrency = maxConcurrency != null && maxConcurrency == 0 ? Integer.valueOf(Migration.MAX_SEGMENTS)
                    : maxConcurrency;
            Limits limits = maxRowsPerSecond == null && targetBatchMillis == null && concurrency == null ? null
                    : new Limits(maxRowsPerSecond, targetBatchMillis, concurrency);
            Command.Run run = new Command.Run(fn, next, startAt, batchSize, dryRun, segments,
                    requester(), limits);
            try (KafkaGateway kafka = broker.connect()) {
                MigrationsClient client = new MigrationsClient(kafka);
                long sent = System.currentTimeMillis();
                Event answer = client.send(run, ANSWER_TIMEOUT);
                int code = report(System.out, answer);
                if (code != 0) {
                    return code;
                }
                if (dryRun) {
                    MigrationStatus s = client.awaitStatus(x -> x.name().equals(fn) && x.pendingDryRun() == null
                            && x.dryRun() != null && x.dryRun().at() >= sent, Duration.ofMinutes(5));
                    System.out.println(client.codec().pretty(s.dryRun()));
                    return s.dryRun().error() == null ? 0 : 1;
                }
                if (await) {
                    return ProgressWatch.awaitSeries(client, run, answer, sent, System.out);
                }
                return 0;
            }
        }
    }

    @CommandLine.Command(name = "retry", description = "Resumes a failed or canceled migration from its failed batch.")
    static final class Retry implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;

        @Override
        public Integer call() {
            try (KafkaGateway kafka = broker.connect()) {
                return report(System.out, new MigrationsClient(kafka).send(
                        Command.Run.of(fn).withRequestedBy(requester()), ANSWER_TIMEOUT));
            }
        }
    }

    @CommandLine.Command(name = "status", description = "Shows the status of all migrations or one; --watch follows"
            + " it, --serve PORT serves a live status page.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION", arity = "0..1")
        String fn;
        @Option(names = "--watch", description = "live progress until every migration watched has ended (exit code 0"
                + " when all succeeded, 1 when one failed or was canceled): bars on a terminal, else a line per change")
        boolean watch;
        @Option(names = "--forever", description = "with --watch: keep watching after they have ended")
        boolean forever;
        @Option(names = "--json", description = "print the status JSON")
        boolean json;
        @Option(names = "--serve", paramLabel = "PORT", description = "serve a live status page on this port until stopped")
        Integer serve;
        @Option(names = "--bind", paramLabel = "ADDRESS", description = "the address the status page listens on (default 127.0.0.1: this"
                + " machine only; 0.0.0.0: every interface)")
        String bind = "127.0.0.1";
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException, java.net.UnknownHostException {
            try (KafkaGateway kafka = broker.connect()) {
                MigrationsClient client = new MigrationsClient(kafka);
                if (serve != null) {
                    try (StatusPage page = new StatusPage(client, java.net.InetAddress.getByName(bind), serve)) {
                        System.out.println("live status at http://" + bind + ":" + page.port() + "/ (Ctrl-C stops)");
                        new java.util.concurrent.CountDownLatch(1).await();
                    }
                }
                Map<String, MigrationStatus> all = client.statuses();
                if (fn != null && !all.containsKey(fn)) {
                    spec.commandLine().getErr().println(unknown(fn, all.keySet())
                            + (watch ? "; watching for it to start" : ""));
                    if (!watch) {
                        return 1;
                    }
                }
                if (watch) {
                    return ProgressWatch.watch(client, fn, json, forever, System.out);
                }
                show(client, all);
                return 0;
            }
        }

        /** What {@code status NAME} says of a name no status has: the names that have one (the first 20). */
        static String unknown(String fn, java.util.Collection<String> known) {
            return "no migration named " + fn + (known.isEmpty() ? ": the status topic holds none yet"
                    : " (known: " + String.join(", ", known.stream().sorted().limit(20).toList())
                    + (known.size() > 20 ? ", and " + (known.size() - 20) + " more" : "") + ")")
                    + "; one that is defined but never ran has no status yet: list shows what the coordinator defines";
        }

        private void show(MigrationsClient client, Map<String, MigrationStatus> all) {
            List<MigrationStatus> shown = all.values().stream().filter(s -> fn == null || s.name().equals(fn)).toList();
            if (json) {
                shown.forEach(s -> System.out.println(client.codec().pretty(s)));
            } else {
                StatusTable.print(System.out, shown, System.currentTimeMillis());
            }
        }
    }

    @CommandLine.Command(name = "cancel", description = "Stops a migration (or all) after the batches in flight.")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION", arity = "0..1")
        String fn;
        @Option(names = "--all")
        boolean all;

        @Override
        public Integer call() {
            if (fn == null && !all) {
                throw new CommandLine.ParameterException(new CommandLine(this), "name a migration or pass --all");
            }
            try (KafkaGateway kafka = broker.connect()) {
                Command c = all ? new Command.CancelAll(requester()) : new Command.Cancel(fn, requester());
                return report(System.out, new MigrationsClient(kafka).send(c, ANSWER_TIMEOUT));
            }
        }
    }

    @CommandLine.Command(name = "pause", description = "Stops a migration after the batches in flight, keeping its run:"
            + " it stays paused (across restarts) until resumed.")
    static final class Pause implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;

        @Override
        public Integer call() {
            try (KafkaGateway kafka = broker.connect()) {
                return report(System.out, new MigrationsClient(kafka).send(new Command.Pause(fn, requester()), ANSWER_TIMEOUT));
            }
        }
    }

    @CommandLine.Command(name = "resume", description = "Goes on with a paused migration from each segment's cursor.")
    static final class Resume implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;

        @Override
        public Integer call() {
            try (KafkaGateway kafka = broker.connect()) {
                return report(System.out, new MigrationsClient(kafka).send(new Command.Resume(fn, requester()), ANSWER_TIMEOUT));
            }
        }
    }

    @CommandLine.Command(name = "configure", description = "Changes the limits of a running or paused migration, from"
            + " its next batches.")
    static final class Configure implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;
        @Option(names = "--batch-size", description = "rows per batch from the next batches")
        Integer batchSize;
        @Option(names = "--max-rows-per-second", description = "the most rows per second across all workers; 0 = no limit")
        Integer maxRowsPerSecond;
        @Option(names = "--target-batch-millis", description = "size each batch to take about this long (up to the"
                + " batch size); 0 = batches of the batch size")
        Integer targetBatchMillis;
        @Option(names = "--max-concurrency", description = "the most segments with a batch in flight at once; 0 = all")
        Integer maxConcurrency;

        @Override
        public Integer call() {
            if (batchSize == null && maxRowsPerSecond == null && targetBatchMillis == null && maxConcurrency == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "give --batch-size, --max-rows-per-second,"
                        + " --target-batch-millis or --max-concurrency (the limits to change)");
            }
            try (KafkaGateway kafka = broker.connect()) {
                return report(System.out, new MigrationsClient(kafka).send(
                        new Command.Configure(fn, batchSize, maxRowsPerSecond, targetBatchMillis, maxConcurrency, requester()),
                        ANSWER_TIMEOUT));
            }
        }
    }
}
