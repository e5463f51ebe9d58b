package dev.keyway.cli;

import dev.keyway.client.MigrationsClient;
import dev.keyway.examples.ExampleMigrations;
import dev.keyway.examples.ExampleSchema;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The demo: a local broker, an H2 file database, a coordinator and workers as their own processes,
 * the example series run with live progress, a summary, and everything it started stopped again.
 */
final class DemoRun {

    private final Path dir;
    private final int rows;
    private final int workers;
    private final PrintStream out;
    private final List<Process> services = new ArrayList<>();

    DemoRun(Path dir, int rows, int workers, PrintStream out) {
        this.dir = dir;
        this.rows = rows;
        this.workers = workers;
        this.out = out;
    }

    int run() throws Exception {
        wipe(dir);
        Files.createDirectories(dir);
        String classpath = System.getProperty("java.class.path");
        String jdbcUrl = "jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=TRUE";
        long t0 = System.currentTimeMillis();
        out.printf("seeding %,d users (and teams, embeddings, chunks) into %s%n", rows, jdbcUrl);
        ExampleSchema.seed(jdbcUrl, "sa", "", rows);
        out.printf("seeded in %.1f s; starting a Kafka broker%n", (System.currentTimeMillis() - t0) / 1000.0);
        // this process hosts the H2 file database for the whole demo: with AUTO_SERVER, the database closes
        // (and every other process's connections break) whenever the hosting process lets go of it
        try (Connection host = DriverManager.getConnection(jdbcUrl, "sa", "")) {
            LocalKafka broker = LocalKafka.start(dir.resolve("kafka"), freePort(), freePort(), classpath);
            try {
                Map<String, String> env = new LinkedHashMap<>();
                env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
                env.put("JDBC_URL", jdbcUrl);
                env.put("JDBC_USER", "sa");
                env.put("JDBC_PASSWORD", "");
                env.put("TOPIC_PREFIX", KafkaSettings.DEFAULT_PREFIX);
                env.put("TASK_PARTITIONS", String.valueOf(KafkaSettings.DEFAULT_TASK_PARTITIONS));
                // no application shares the demo's tables: its coordinator needs no brakes (a coordinator of yours
                // is gentle unless started with --full-speed)
                env.put("KEYWAY_FULL_SPEED", "true");
                try (KafkaGateway kafka = KafkaGateway.connect(KafkaSettings.fromEnv(env), Duration.ofSeconds(20))) {
                    kafka.ensureTopics();
                    spawn("coordinator", "dev.keyway.coordinator.CoordinatorMain", env, classpath);
                    for (int i = 1; i <= workers; i++) {
                        env.put("WORKER_NAME", "worker-" + i);
                        spawn("worker-" + i, "dev.keyway.worker.WorkerMain", env, classpath);
                    }
                    out.printf("broker at %s, a coordinator (at full speed: no application shares these tables) and %d"
                            + " workers running (logs in %s)%n", broker.bootstrapServers(), workers, dir);
                    return runSeries(new MigrationsClient(kafka), jdbcUrl);
                }
            } finally {
                stopServices();
                broker.stop();
                out.println("stopped the broker, the coordinator and the workers");
            }
        }
    }

    private int runSeries(MigrationsClient client, String jdbcUrl) throws SQLException {
        List<String> names = ExampleMigrations.SERIES.stream().map(Migration::name).toList();
        Command.Run run = Command.Run.of(names.get(0)).withNext(names.subList(1, names.size()))
                .withRequestedBy("demo");
        long sent = System.currentTimeMillis();
        int code = KeywayCli.report(new java.io.PrintWriter(out, true), client.send(run, Duration.ofSeconds(60)));
        if (code != 0) {
            return code;
        }
        ProgressWatch.Outcome end = new ProgressWatch(client, Clock.systemUTC(), ProgressWatch.TICK)
                .follow(WatchedMigrations.series(run.fn(), run.next(), sent), LiveProgress.on(out), false,
                        Duration.ofHours(2));
        summary(names.stream().map(end.seen()::get).filter(Objects::nonNull).toList());
        checks(jdbcUrl);
        if (end.exitCode() != WatchedMigrations.ALL_SUCCEEDED) {
            out.println("the series did not complete: " + end.seen().values().stream()
                    .filter(s -> s.state() != MigrationState.SUCCESS)
                    .map(s -> s.name() + " " + s.state().json() + ": " + s.failure().error()).toList());
            return 1;
        }
        return 0;
    }

    private void summary(List<MigrationStatus> latest) {
        out.println();
        out.printf("%-26s %-10s %12s %9s %12s%n", "MIGRATION", "STATE", "ROWS", "SECONDS", "ROWS/S");
        long rowsAll = 0;
        double secsAll = 0;
        for (MigrationStatus s : latest) {
            MigrationStatus.Run run = s.run();
            double secs = run.latestStart() == null || run.latestEnd() == null ? 0
                    : (run.latestEnd() - run.latestStart()) / 1000.0;
            rowsAll += s.progress().processed();
            secsAll += secs;
            out.printf("%-26s %-10s %,12d %9.1f %,12.0f%n", s.name(), s.state().json(), s.progress().processed(), secs,
                    secs > 0 ? s.progress().processed() / secs : 0);
        }
        out.printf("%-26s %-10s %,12d %9.1f %,12.0f%n", "total", "", rowsAll, secsAll, secsAll > 0 ? rowsAll / secsAll : 0);
    }

    /** Reads the result back from the database, so the summary is checked, not assumed. */
    private void checks(String jdbcUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", ""); Statement st = c.createStatement()) {
            out.println();
            out.println("checks on the data:");
            check(st, "users without a role", "SELECT COUNT(*) FROM \"users\" WHERE \"role\" IS NULL", 0);
            check(st, "users with a nickname", "SELECT COUNT(*) FROM \"users\" WHERE \"nickname\" IS NOT NULL", 0);
            check(st, "users with an empty requiredField",
                    "SELECT COUNT(*) FROM \"users\" WHERE \"requiredField\" = ''", 0);
            check(st, "teams without a plan or with isPro", "SELECT COUNT(*) FROM \"teams\" WHERE \"plan\" IS NULL"
                    + " OR \"isPro\" IS NOT NULL", 0);
            check(st, "users with preferences left", "SELECT COUNT(*) FROM \"users\" WHERE \"preferences\" IS NOT NULL", 0);
            check(st, "userPreferences rows", "SELECT COUNT(*) FROM \"userPreferences\"", rows / 4);
            check(st, "orphaned embeddings", "SELECT COUNT(*) FROM \"embeddings\" e WHERE NOT EXISTS"
                    + " (SELECT 1 FROM \"chunks\" c WHERE c.\"embeddingId\" = e.\"id\")", 0);
        }
    }

    private void check(Statement st, String what, String sql, long expected) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            long n = rs.getLong(1);
            out.printf("  %-40s %,10d  %s%n", what, n, n == expected ? "ok" : "EXPECTED " + expected);
        }
    }

    private void spawn(String name, String mainClass, Map<String, String> env, String classpath) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", classpath, mainClass)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        services.add(pb.start());
    }

    private void stopServices() throws InterruptedException {
        services.forEach(Process::destroy);
        for (Process p : services) {
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (Files.exists(dir)) {
            LocalKafka.stop(dir.resolve("kafka"));
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
