package dev.keyway.it.bench;

import dev.keyway.cli.LocalKafka;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.StoreOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a backfill does to the application using the same table, in four phases of one invocation:
 * {@code pgbench} (PostgreSQL's own load generator) plays the application at a fixed rate, reading and updating
 * random rows of the table the backfill rewrites, with no backfill ({@code baseline}), with Keyway at full speed
 * ({@code fullSpeed}: {@code KEYWAY_FULL_SPEED=true}, batches of 1,000, no limit), with Keyway as a user who sets
 * nothing gets it ({@code defaults}: no variable, no option) and with Keyway adaptive ({@code adaptive}: the
 * application's latency target given, {@code APPLICATION_LATENCY_TARGET_MS}, {@code --latency-target-ms}). Writes
 * {@code target/bench/impact.json} and prints a table. Every phase is checked: each row migrated exactly once,
 * and no application update lost (the sum of the rows' {@code app_counter} grows by exactly the number of
 * transactions pgbench logged).
 *
 * <p>{@code bin/bench --impact [--rows N] [--app-tps N] [--latency-target-ms N] [--baseline-seconds N]
 * [--adaptive-concurrency N]} (the last one an experiment: the adaptive run with that {@code maxConcurrency})
 */
public final class ImpactBenchmark {

    /** One phase's figures: the application's latency (ms) and rate, and the backfill's rate (0 without one). */
    record Phase(String name, double appP50Ms, double appP99Ms, double appTps, double backfillRowsPerSec,
                 long appTransactions, double seconds) {
    }

    private final BenchTable table;
    private final StoreOptions db;
    private final Path out;
    private final int appTps;
    private final int latencyTargetMs;
    /** An experiment: the adaptive phase's run with this maxConcurrency; null = Keyway's defaults. */
    private final Integer adaptiveConcurrency;
    /** PostgreSQL on a core of its own, everything else (the application included) on the others. */
    private final boolean pinned;

    private ImpactBenchmark(StoreOptions db, BenchTable table, Path out, int appTps, int latencyTargetMs,
                            Integer adaptiveConcurrency, boolean pinned) {
        this.adaptiveConcurrency = adaptiveConcurrency;
        this.pinned = pinned;
        this.db = db;
        this.table = table;
        this.out = out;
        this.appTps = appTps;
        this.latencyTargetMs = latencyTargetMs;
    }

    public static void main(String[] args) throws Exception {
        int rows = 500_000;
        int appTps = 200;
        int latencyTarget = 50;
        int baselineSeconds = 20;
        Integer concurrency = null;
        boolean pinned = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--impact" -> { }
                case "--pinned" -> pinned = true; // set by bin/bench --pin-db, for the report
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--app-tps" -> appTps = Integer.parseInt(args[++i]);
                case "--latency-target-ms" -> latencyTarget = Integer.parseInt(args[++i]);
                case "--baseline-seconds" -> baselineSeconds = Integer.parseInt(args[++i]);
                case "--adaptive-concurrency" -> concurrency = Integer.valueOf(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bin/bench --impact"
                        + " [--rows N] [--app-tps N] [--latency-target-ms N] [--baseline-seconds N]");
            }
        }
        Path out = Path.of("target", "bench").toAbsolutePath();
        Files.createDirectories(out);
        try (TestDatabase pg = TestDatabase.postgres()) {
            StoreOptions db = StoreOptions.of(pg.jdbcUrl(), pg.user(), pg.password());
            BenchTable table = new BenchTable(new Sql(db), rows);
            new ImpactBenchmark(db, table, out, appTps, latencyTarget, concurrency, pinned).run(baselineSeconds);
        }
        System.exit(0);
    }

    private void run(int baselineSeconds) throws Exception {
        System.out.printf("impact benchmark: %,d rows, the application at %d transactions/s (pgbench), latency target"
                + " %d ms, %d cores%s%n", table.rows(), appTps, latencyTargetMs, Runtime.getRuntime().availableProcessors(),
                pinned ? ", PostgreSQL alone on one of them (--pin-db)" : " shared by everything");
        table.reset();
        Path script = out.resolve("impact-app.sql");
        Files.writeString(script, "\\set id random(1, " + table.rows() + ")\n"
                + "BEGIN;\n"
                + "SELECT name, email, derived FROM bench WHERE id = :id;\n"
                + "UPDATE bench SET app_counter = app_counter + 1 WHERE id = :id;\n"
                + "END;\n");
        List<Phase> phases = new ArrayList<>();

        long before = table.applicationUpdates();
        Thread.sleep(5_000); // the table's load and checkpoint settle (autovacuum, writeback) before the baseline
        ApplicationLoad load = ApplicationLoad.start(db, script, appTps, out.resolve("impact-baseline"));
        Thread.sleep(2_000); // as in the backfill phases, the application's load settles first
        long from = System.currentTimeMillis();
        Thread.sleep(baselineSeconds * 1000L);
        long to = System.currentTimeMillis();
        phases.add(phase("baseline", load.stop(), from, to, 0, before));

        Path kafkaDir = out.resolve("kafka-impact");
        LocalKafka.stop(kafkaDir);
        BackfillBenchmark.deleteTree(kafkaDir);
        LocalKafka broker = LocalKafka.start(kafkaDir, BackfillBenchmark.freePort(), BackfillBenchmark.freePort(),
                System.getProperty("java.class.path"));
        try {
            phases.add(backfill("fullSpeed", broker, Map.of(), Command.Run.of("benchBackfill").withBatchSize(1000),
                    script));
            // what a user gets who sets nothing (issue 16: the coordinator is gentle by default)
            phases.add(backfill("defaults", broker, Map.of("KEYWAY_FULL_SPEED", ""), Command.Run.of("benchBackfill"),
                    script));
            phases.add(backfill("adaptive", broker, Map.of("KEYWAY_FULL_SPEED", "",
                            "APPLICATION_LATENCY_TARGET_MS", String.valueOf(latencyTargetMs)),
                    adaptiveConcurrency == null ? Command.Run.of("benchBackfill")
                            : Command.Run.of("benchBackfill").withLimits(new Limits(null, null, adaptiveConcurrency)),
                    script));
        } finally {
            broker.stop();
        }
        report(phases);
    }

    /** A backfill phase: the application's load from the run command until the migration succeeded. */
    private Phase backfill(String name, LocalKafka broker, Map<String, String> coordinatorEnv, Command.Run run,
                           Path script) throws Exception {
        table.unmigrate();
        Path logs = out.resolve("logs").resolve("impact-" + name);
        try (ProcessCluster cluster = new ProcessCluster(broker.bootstrapServers(), db, logs)) {
            coordinatorEnv.forEach(cluster::withEnv);
            cluster.coordinator();
            List<ServiceProcess> workers = List.of(cluster.worker(), cluster.worker());
            BackfillBenchmark.awaitAssigned(workers);
            // warm up, as services that have been running for a while are: a dry run (one batch, rolled back)
            long dry = System.currentTimeMillis();
            cluster.send(Command.Run.of("benchBackfill").withDryRun(true));
            cluster.await(s -> s.name().equals("benchBackfill") && s.updatedAt() >= dry && s.dryRuns().pending() == null
                    && s.dryRuns().last() != null, Duration.ofMinutes(2));
            long before = table.applicationUpdates();
            ApplicationLoad load = ApplicationLoad.start(db, script, appTps, out.resolve("impact-" + name));
            Thread.sleep(2_000); // the application's load settles first
            long sent = System.currentTimeMillis();
            Event answer = cluster.send(run);
            if (!(answer instanceof Event.CommandAccepted)) {
                load.stop();
                throw new IllegalStateException(name + ": " + answer);
            }
            MigrationStatus end = cluster.await(s -> s.name().equals("benchBackfill") && s.updatedAt() >= sent
                    && s.state() != MigrationState.IN_PROGRESS && s.state() != MigrationState.PAUSED, Duration.ofHours(1));
            long done = System.currentTimeMillis();
            List<ApplicationLoad.Transaction> txs = load.stop();
            if (end.state() != MigrationState.SUCCESS) {
                throw new IllegalStateException(name + " ended " + end.state().json() + ": " + end.failure().error());
            }
            table.check(name);
            double seconds = (end.run().latestEnd() - end.run().latestStart()) / 1000.0;
            return phase(name, txs, sent, done, end.progress().processed() / seconds, before);
        }
    }

    private Phase phase(String name, List<ApplicationLoad.Transaction> txs, long from, long to, double backfillRowsPerSec,
                        long updatesBefore) throws Exception {
        long lost = updatesBefore + txs.size() - table.applicationUpdates();
        if (lost != 0) {
            throw new IllegalStateException(name + ": " + lost + " of the application's " + txs.size()
                    + " updates are not in the table");
        }
        List<Double> window = txs.stream().filter(t -> t.endMillis() >= from && t.endMillis() <= to)
                .map(ApplicationLoad.Transaction::latencyMs).sorted().collect(Collectors.toList());
        double seconds = (to - from) / 1000.0;
        Phase p = new Phase(name, pct(window, 50), pct(window, 99), window.size() / seconds, backfillRowsPerSec,
                window.size(), seconds);
        System.out.printf("  %-10s %6.1f s  app p50 %6.1f ms  p99 %7.1f ms  %6.1f tps  backfill %,9.0f rows/s%n",
                p.name(), p.seconds(), p.appP50Ms(), p.appP99Ms(), p.appTps(), p.backfillRowsPerSec());
        return p;
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private void report(List<Phase> phases) throws IOException {
        Map<String, Phase> by = new LinkedHashMap<>();
        phases.forEach(p -> by.put(p.name(), p));
        Phase base = by.get("baseline");
        Phase full = by.get("fullSpeed");
        Phase adaptive = by.get("adaptive");
        System.out.println();
        System.out.printf("%-10s %10s %10s %10s %10s %14s %14s%n", "PHASE", "SECONDS", "APP P50", "APP P99", "APP TPS",
                "BACKFILL", "P99 VS");
        System.out.printf("%-10s %10s %10s %10s %10s %14s %14s%n", "", "", "ms", "ms", "", "rows/s", "BASELINE");
        StringBuilder json = new StringBuilder("{\n  \"rows\": " + table.rows() + ",\n  \"appTargetTps\": " + appTps
                + ",\n  \"latencyTargetMs\": " + latencyTargetMs + ",\n  \"databasePinnedToOwnCore\": " + pinned
                + ",\n  \"adaptiveMaxConcurrency\": " + adaptiveConcurrency + ",\n  \"cores\": "
                + Runtime.getRuntime().availableProcessors() + ",\n");
        for (Phase p : phases) {
            System.out.printf("%-10s %10.1f %10.1f %10.1f %10.1f %,14.0f %13.2fx%n", p.name(), p.seconds(), p.appP50Ms(),
                    p.appP99Ms(), p.appTps(), p.backfillRowsPerSec(), p.appP99Ms() / base.appP99Ms());
            json.append(String.format("  \"%s\": {\"appP50Ms\": %.2f, \"appP99Ms\": %.2f, \"appTps\": %.1f,"
                            + " \"backfillRowsPerSec\": %.1f, \"appTransactions\": %d, \"seconds\": %.2f},%n", p.name(),
                    p.appP50Ms(), p.appP99Ms(), p.appTps(), p.backfillRowsPerSec(), p.appTransactions(), p.seconds()));
        }
        Phase defaults = by.get("defaults");
        System.out.printf("%nno option (the defaults): application p99 %.2fx the baseline's at %,.0f rows/s (%.2fx full"
                + " speed; full speed: p99 %.2fx)%n", defaults.appP99Ms() / base.appP99Ms(), defaults.backfillRowsPerSec(),
                defaults.backfillRowsPerSec() / full.backfillRowsPerSec(), full.appP99Ms() / base.appP99Ms());
        double p99Ratio = adaptive.appP99Ms() / base.appP99Ms();
        double speedRatio = adaptive.backfillRowsPerSec() / full.backfillRowsPerSec();
        json.append(String.format("  \"targets\": {\"adaptiveP99VsBaseline\": %.3f, \"adaptiveP99Met\": %s,"
                        + " \"adaptiveSpeedVsFullSpeed\": %.3f, \"adaptiveSpeedMet\": %s}%n}%n", p99Ratio, p99Ratio <= 1.5,
                speedRatio, speedRatio >= 0.5));
        Files.writeString(out.resolve("impact.json"), json);
        System.out.printf("%nadaptive: application p99 %.2fx the baseline's (target <= 1.5x), backfill %.2fx full speed"
                + " (target >= 0.5x)%n", p99Ratio, speedRatio);
        System.out.println("every phase checked: each row migrated exactly once, no application update lost. JSON: "
                + out.resolve("impact.json"));
    }

    /** pgbench in rounds of a few seconds, each with its own per-transaction log, until stopped. */
    static final class ApplicationLoad {

        /** One application transaction: when it ended and how long it took from its scheduled start. */
        record Transaction(long endMillis, double latencyMs) {
        }

        private static final int ROUND_SECONDS = 5;
        private final Thread thread;
        private final Path dir;
        private volatile boolean stopping;
        private volatile Exception failure;

        private ApplicationLoad(StoreOptions db, Path script, int tps, Path dir) throws IOException {
            this.dir = dir;
            BackfillBenchmark.deleteTree(dir);
            Files.createDirectories(dir);
            URI url = URI.create(db.jdbcUrl().substring("jdbc:".length()));
            String database = url.getPath().substring(1);
            this.thread = new Thread(() -> {
                try {
                    for (int round = 0; !stopping; round++) {
                        ProcessBuilder pb = new ProcessBuilder(pgbench(), "-n", "-h", url.getHost(),
                                "-p", String.valueOf(url.getPort()), "-U", db.user(), "-f", script.toString(),
                                "-R", String.valueOf(tps), "-c", "4", "-j", "2", "-T", String.valueOf(ROUND_SECONDS), "-l",
                                "--log-prefix=" + dir.resolve("round" + round), database)
                                .redirectErrorStream(true).redirectOutput(dir.resolve("round" + round + ".out").toFile());
                        pb.environment().put("PGPASSWORD", db.password());
                        int exit = pb.start().waitFor();
                        if (exit != 0) {
                            throw new IllegalStateException("pgbench exited with " + exit + ": "
                                    + Files.readString(dir.resolve("round" + round + ".out")));
                        }
                    }
                } catch (Exception e) {
                    failure = e;
                }
            }, "pgbench");
            thread.start();
        }

        static ApplicationLoad start(StoreOptions db, Path script, int tps, Path dir) throws IOException {
            return new ApplicationLoad(db, script, tps, dir);
        }

        /** Lets the current round end; returns every transaction logged. */
        List<Transaction> stop() throws Exception {
            stopping = true;
            thread.join();
            if (failure != null) {
                throw failure;
            }
            List<Transaction> all = new ArrayList<>();
            try (Stream<Path> logs = Files.list(dir)) {
                for (Path log : logs.filter(p -> p.getFileName().toString().matches("round\\d+\\.\\d+(\\.\\d+)?")).toList()) {
                    for (String line : Files.readAllLines(log)) {
                        // client_id transaction_no time script_no time_epoch time_us [schedule_lag]
                        String[] f = line.trim().split("\\s+");
                        if (f.length >= 6 && !f[2].equals("skipped") && !f[2].equals("failed")) {
                            long end = Long.parseLong(f[4]) * 1000 + Long.parseLong(f[5]) / 1000;
                            all.add(new Transaction(end, Long.parseLong(f[2]) / 1000.0));
                        }
                    }
                }
            }
            return all;
        }

        private static String pgbench() {
            for (String dir : List.of("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin",
                    "/usr/bin")) {
                if (Files.isExecutable(Path.of(dir, "pgbench"))) {
                    return Path.of(dir, "pgbench").toString();
                }
            }
            throw new IllegalStateException("no pgbench (it comes with PostgreSQL's server package: apt-get install"
                    + " postgresql-15)");
        }
    }
}
