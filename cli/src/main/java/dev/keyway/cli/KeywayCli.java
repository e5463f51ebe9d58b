package dev.keyway.cli;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.store.StoreOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
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
        subcommands = {LocalCommands.Demo.class, LocalCommands.Kafka.class, LocalCommands.Seed.class,
                ServiceCommands.Coordinator.class, ServiceCommands.Worker.class, KeywayCli.Run.class,
                RunControl.Retry.class, KeywayCli.Status.class, ListMigrations.class, RunControl.Cancel.class,
                RunControl.Pause.class, RunControl.Resume.class, RunControl.Configure.class, HistoryCommand.class,
                ConsoleCommand.class, QuarantineCommand.class, VerifyCommand.class,
                UndoCommand.class, ImagesCommand.class,
                CommandLine.HelpCommand.class})
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
        return System.getProperty("user.name") + "@" + host();
    }

    /** This machine's name: {@code HOSTNAME}, else what the network says, else {@code unknown-host}. */
    static String host() {
        String host = env().getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
        }
        return host;
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
    static int report(java.io.PrintWriter out, Event answer) {
        if (answer instanceof Event.CommandRejected r) {
            out.println("refused: " + r.reason());
            return 1;
        }
        Event.CommandAccepted a = (Event.CommandAccepted) answer;
        out.println(a.migration() + ": " + a.action() + (a.detail() == null ? "" : " (" + a.detail() + ")"));
        return 0;
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
        @CommandLine.Mixin
        LimitOptions limits;
        @Option(names = "--notify", split = ",", paramLabel = "NAME", description = "also notify these targets of the"
                + " coordinator (its NOTIFY_URL_<NAME> settings; names, never URLs) of this run's start, pauses and end")
        List<String> notifyTargets = new ArrayList<>();
        @Option(names = "--max-quarantined", paramLabel = "N|P%", description = "set aside up to N documents (or P%% of"
                + " the run's rows, for a run planned from the beginning) whose migrateOne throws or whose write the"
                + " database refuses (keyway_quarantine), and fail past that; 0 = off (without it, the definition's"
                + " withMaxQuarantined; a resumed run keeps its own)")
        String maxQuarantined;
        @Option(names = "--keep-before-images", description = "keep a before-image of each row the run changes"
                + " (keyway_images), so that bin/migrate undo can take the run back; costs a write per changed row")
        boolean keepImages;

        /** {@code --max-quarantined}: null when not given; a bad one ends the command with exit code 2. */
        private QuarantineLimit quarantineLimit() {
            try {
                return maxQuarantined == null ? null : QuarantineLimit.parse(maxQuarantined);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--max-quarantined: " + e.getMessage(), e);
            }
        }

        @Override
        public Integer call() {
            Command.StartAt startAt = fromStart ? Command.StartAt.beginning()
                    : cursor != null ? Command.StartAt.after(cursor) : null;
            Command.Run run = new Command.Run(fn, next, startAt, batchSize, dryRun, segments,
                    requester(), limits.limits(), notifyTargets.stream().map(n -> n.trim().toLowerCase(java.util.Locale.ROOT))
                    .toList(), quarantineLimit(), false).withKeepImages(keepImages);
            try (KafkaGateway kafka = broker.connect()) {
                MigrationsClient client = new MigrationsClient(kafka);
                long sent = System.currentTimeMillis();
                Event answer = client.send(run, ANSWER_TIMEOUT);
                int code = report(new java.io.PrintWriter(System.out, true), answer);
                if (code != 0) {
                    return code;
                }
                if (dryRun) {
                    MigrationStatus s = client.awaitStatus(x -> x.name().equals(fn) && x.dryRuns().pending() == null
                            && x.dryRuns().last() != null && x.dryRuns().last().at() >= sent, Duration.ofMinutes(5));
                    System.out.println(client.codec().pretty(s.dryRuns().last()));
                    return s.dryRuns().last().error() == null ? 0 : 1;
                }
                if (await) {
                    return ProgressWatch.awaitSeries(client, run, answer, sent, System.out);
                }
                return 0;
            }
        }
    }


    @CommandLine.Command(name = "status", description = "Shows the status of all migrations or one; --watch follows"
            + " it, --serve PORT serves the console (as the console command does).")
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
        @Option(names = "--serve", paramLabel = "PORT", description = "serve the console on this port until stopped (the"
                + " console command, with its token from " + ConsoleCommand.TOKEN_VARIABLE + ")")
        Integer serve;
        @Option(names = "--bind", paramLabel = "ADDRESS", description = "with --serve: the address the console listens on"
                + " (default 127.0.0.1: this machine only; any other needs " + ConsoleCommand.TOKEN_VARIABLE + ")")
        String bind = "127.0.0.1";
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException, java.io.IOException {
            if (serve != null) {
                return ConsoleCommand.serve(broker, bind, serve, ConsoleCommand.access(null, null,
                        broker.environment().get(ConsoleCommand.TOKEN_VARIABLE)), System.out);
            }
            try (KafkaGateway kafka = broker.connect()) {
                MigrationsClient client = new MigrationsClient(kafka);
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

}
