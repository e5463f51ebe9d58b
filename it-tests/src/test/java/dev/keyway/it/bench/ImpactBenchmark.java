package dev.keyway.it.bench;

import com.zaxxer.hikari.HikariDataSource;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a backfill does to the application using the same table, in six phases of one invocation:
 * {@code pgbench} (PostgreSQL's own load generator) plays the application at a fixed rate, reading and updating
 * random rows of the table the backfill rewrites, with no backfill ({@code baseline}), with Keyway at full speed
 * ({@code fullSpeed}: {@code KEYWAY_FULL_SPEED=true}, batches of 1,000, no limit), with Keyway as a user who sets
 * nothing gets it ({@code defaults}: no variable, no option), with Keyway adaptive ({@code adaptive}: the
 * application's latency target given, {@code APPLICATION_LATENCY_TARGET_MS}, {@code --latency-target-ms}), and with
 * the two peers held to the rows/s the adaptive phase reached (issue 20): the JDBC keyset loop ({@code jdbcLoop}) and
 * Spring Batch with 4 partitions ({@code springBatch}), each acquiring its batch's rows from a {@link RateLimiter}
 * before the batch. {@code --repeats N} runs the whole invocation N times and reports the medians
 * ({@link ImpactReport}). Writes {@code target/bench/impact.json} and prints tables. Every phase is checked: each row
 * migrated exactly once, and no application update lost (the sum of the rows' {@code app_counter} grows by exactly
 * the number of transactions pgbench logged).
 *
 * <p>{@code bin/bench --impact [--rows N] [--app-tps N] [--latency-target-ms N] [--baseline-seconds N]
 * [--repeats N] [--peer-batch N] [--adaptive-concurrency N]} (the last one an experiment: the adaptive run with that
 * {@code maxConcurrency})
 */
public final class ImpactBenchmark {

    /** The peers' Spring Batch partitions: the throughput benchmark's fastest. */
    static final int SPRING_BATCH_PARTITIONS = 4;

    /**
     * One phase's figures: the application's latency (ms) and rate, the backfill's rate (0 without one) and its batch
     * size (0 without one; for Keyway the most rows a batch may have: its workers size batches below it to a target
     * time when the run has one).
     */
    record Phase(String name, double appP50Ms, double appP99Ms, double appTps, double backfillRowsPerSec, int batch,
                 long appTransactions, double seconds) {
    }

    private final BenchTable table;
    private final StoreOptions db;
    private final Path out;
    private final int appTps;
    private final int latencyTargetMs;
    /** The JDBC loop's page and Spring Batch's chunk. */
    private final int peerBatch;
    /** An experiment: the adaptive phase's run with this maxConcurrency; null = Keyway's defaults. */
    private final Integer adaptiveConcurrency;

    private ImpactBenchmark(StoreOptions db, BenchTable table, Path out, int appTps, int latencyTargetMs, int peerBatch,
                            Integer adaptiveConcurrency) {
        this.adaptiveConcurrency = adaptiveConcurrency;
        this.db = db;
        this.table = table;
        this.out = out;
        this.appTps = appTps;
        this.latencyTargetMs = latencyTargetMs;
        this.peerBatch = peerBatch;
    }

    public static void main(String[] args) throws Exception {
        int rows = 500_000;
        int appTps = 200;
        int latencyTarget = 50;
        int baselineSeconds = 20;
        int repeats = 1;
        int peerBatch = 1000;
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
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--peer-batch" -> peerBatch = Integer.parseInt(args[++i]);
                case "--adaptive-concurrency" -> concurrency = Integer.valueOf(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bin/bench --impact"
                        + " [--rows N] [--app-tps N] [--latency-target-ms N] [--baseline-seconds N] [--repeats N]"
                        + " [--peer-batch N] [--adaptive-concurrency N] [--pin-db]");
            }
        }
        if (repeats < 1 || peerBatch < 1) {
            throw new IllegalArgumentException("--repeats and --peer-batch must be at least 1, but were " + repeats
                    + " and " + peerBatch);
        }
        Path out = Path.of("target", "bench").toAbsolutePath();
        Files.createDirectories(out);
        System.out.printf("impact benchmark: %,d rows, the application at %d transactions/s (pgbench), latency target"
                + " %d ms, peers at the adaptive phase's rows/s (JDBC loop batch %d, Spring Batch chunk %d, %d"
                + " partitions), %d run(s), %d cores%s%n", rows, appTps, latencyTarget, peerBatch, peerBatch,
                SPRING_BATCH_PARTITIONS, repeats, Runtime.getRuntime().availableProcessors(),
                pinned ? ", PostgreSQL alone on one of them (--pin-db)" : " shared by everything");
        ImpactReport report = new ImpactReport(rows, appTps, latencyTarget, peerBatch, concurrency, pinned);
        try (TestDatabase pg = TestDatabase.postgres()) {
            StoreOptions db = StoreOptions.of(pg.jdbcUrl(), pg.user(), pg.password());
            BenchTable table = new BenchTable(new Sql(db), rows);
            ImpactBenchmark bench = new ImpactBenchmark(db, table, out, appTps, latencyTarget, peerBatch, concurrency);
            List<List<Phase>> runs = new ArrayList<>();
            for (int r = 1; r <= repeats; r++) {
                System.out.printf("%nrun %d of %d%n", r, repeats);
                runs.add(bench.run(baselineSeconds));
                report.printRun(runs.get(runs.size() - 1));
            }
            report.write(runs, out);
        }
        System.exit(0);
    }

    private List<Phase> run(int baselineSeconds) throws Exception {
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
        phases.add(phase("baseline", load.stop(), from, to, 0, 0, before));

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
        // issue 20: the peers at the speed Keyway's adaptive phase reached, under the same load
        double rate = phases.get(phases.size() - 1).backfillRowsPerSec();
        phases.add(peer("jdbcLoop", script, rate, limiter -> {
            try (Connection c = new Sql(db).connect()) {
                return JdbcKeysetLoop.run(c, peerBatch, limiter);
            }
        }));
        phases.add(peer("springBatch", script, rate, limiter -> {
            try (HikariDataSource ds = new HikariDataSource()) {
                ds.setJdbcUrl(db.jdbcUrl());
                ds.setUsername(db.user());
                ds.setPassword(db.password());
                ds.setMaximumPoolSize(SPRING_BATCH_PARTITIONS + 4);
                return SpringBatchBackfill.run(ds, peerBatch, SPRING_BATCH_PARTITIONS, limiter);
            }
        }));
        return phases;
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
            Limits limits = end.pace().limits();
            System.out.printf("  %-11s batches of at most %d rows, aiming at %s ms, at most %s segments at once%n", name,
                    end.pace().batchSize(), limits == null ? "-" : limits.targetBatchMillis(),
                    limits == null || limits.maxConcurrency() == null ? "all" : limits.maxConcurrency());
            double seconds = (end.run().latestEnd() - end.run().latestStart()) / 1000.0;
            return phase(name, txs, sent, done, end.progress().processed() / seconds, end.pace().batchSize(), before);
        }
    }

    /** A peer's backfill of every row, acquiring its rows from {@code limiter}; returns the rows it changed. */
    private interface PeerBackfill {
        long run(RateLimiter limiter) throws Exception;
    }

    /**
     * A peer's phase: the application's load from the peer's first batch to its end; the peer's rows/s over the same
     * span (Spring Batch's context and job repository start before it).
     */
    private Phase peer(String name, Path script, double rowsPerSec, PeerBackfill backfill) throws Exception {
        table.unmigrate();
        long before = table.applicationUpdates();
        ApplicationLoad load = ApplicationLoad.start(db, script, appTps, out.resolve("impact-" + name));
        Thread.sleep(2_000); // the application's load settles first
        RateLimiter limiter = RateLimiter.of(rowsPerSec);
        long wall0 = System.currentTimeMillis();
        long nano0 = System.nanoTime();
        long changed;
        try {
            changed = backfill.run(limiter);
        } catch (Exception e) {
            load.stop();
            throw e;
        }
        long end = System.nanoTime();
        long done = System.currentTimeMillis();
        List<ApplicationLoad.Transaction> txs = load.stop();
        if (changed != table.rows()) {
            throw new IllegalStateException(name + " changed " + changed + " rows of " + table.rows());
        }
        table.check(name);
        double seconds = (end - limiter.firstAcquireNanos()) / 1e9;
        long from = wall0 + (limiter.firstAcquireNanos() - nano0) / 1_000_000;
        return phase(name, txs, from, done, changed / seconds, peerBatch, before);
    }

    private Phase phase(String name, List<ApplicationLoad.Transaction> txs, long from, long to, double backfillRowsPerSec,
                        int batch, long updatesBefore) throws Exception {
        long lost = updatesBefore + txs.size() - table.applicationUpdates();
        if (lost != 0) {
            throw new IllegalStateException(name + ": " + lost + " of the application's " + txs.size()
                    + " updates are not in the table");
        }
        List<Double> window = txs.stream().filter(t -> t.endMillis() >= from && t.endMillis() <= to)
                .map(ApplicationLoad.Transaction::latencyMs).sorted().collect(Collectors.toList());
        double seconds = (to - from) / 1000.0;
        Phase p = new Phase(name, pct(window, 50), pct(window, 99), window.size() / seconds, backfillRowsPerSec, batch,
                window.size(), seconds);
        // the machine's load average: other work on the shared cores shows here
        System.out.printf("  %-11s %6.1f s  app p50 %6.1f ms  p99 %7.1f ms  %6.1f tps  backfill %,9.0f rows/s  load %s%n",
                p.name(), p.seconds(), p.appP50Ms(), p.appP99Ms(), p.appTps(), p.backfillRowsPerSec(),
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        return p;
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
