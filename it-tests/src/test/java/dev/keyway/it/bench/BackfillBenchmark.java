package dev.keyway.it.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.keyway.cli.LocalKafka;
import dev.keyway.codec.JsonCodec;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.kafka.Inbound;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.StoreOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * {@code bin/bench}: the same backfill over the same PostgreSQL table by one SQL statement (the offline
 * limit), a hand-written JDBC keyset loop (the baseline), Spring Batch (the JVM peer) and Keyway with
 * 1, 2 and 4 workers at batch sizes 100 and 1000. Each run starts from the same data and is checked:
 * every row changed exactly once. Prints a table and writes target/bench/results.json. With {@code --db mariadb}
 * the same on MariaDB's primary ({@link BenchDatabase}), but for Spring Batch, whose job repository here is
 * PostgreSQL's.
 */
public final class BackfillBenchmark {

    /**
     * @param cpu CPU milliseconds per 1,000 rows of each part of the contender: "db" (PostgreSQL, or MariaDB's
     *     primary), "client" (the JVM doing the work: the benchmark's own for SQL, JDBC and Spring Batch, the workers
     *     for Keyway), "coordinator" and "broker" (Keyway only); on MariaDB also "replica" (its replica applying the
     *     writes on this machine: not part of the total)
     */
    record Result(String contender, int rows, double seconds, Double batchP50Ms, Double batchP99Ms,
                  Double outsideDbP50Ms, Double firstBatchMs, Long workerRssMib, Long coordinatorRssMib,
                  Map<String, Double> cpu) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    private final BenchTable table;
    private final BenchDatabase database;
    private final StoreOptions db;
    private final Path out;
    private final boolean pinned;
    private final List<Result> results = new ArrayList<>();

    BackfillBenchmark(BenchDatabase database, int rows, Path out, boolean pinned) {
        this.pinned = pinned;
        this.database = database;
        this.db = database.options();
        this.table = new BenchTable(new Sql(db), rows);
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int rows = 1_000_000;
        List<String> only = new ArrayList<>();
        List<Integer> workers = List.of(1, 2, 4);
        List<Integer> batches = List.of(1000, 100);
        List<Integer> slices = new ArrayList<>();
        boolean pinned = false;
        String kind = "postgres";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> kind = args[++i];
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--only" -> only.addAll(List.of(args[++i].split(",")));
                case "--workers" -> workers = ints(args[++i]);
                case "--batches" -> batches = ints(args[++i]);
                case "--slices" -> slices = ints(args[++i]);
                case "--pinned" -> pinned = true; // set by bin/bench --pin-db, for the report
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bin/bench"
                        + " [--db postgres|mariadb] [--rows N] [--only sql,jdbc,spring,keyway,probe] [--workers 1,2,4]"
                        + " [--batches 1000,100] [--slices 1,2,4]");
            }
        }
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        try (BenchDatabase database = BenchDatabase.open(kind)) {
            new BackfillBenchmark(database, rows, out, pinned).runAll(only, workers, batches, slices);
        }
        System.exit(0);
    }

    private static List<Integer> ints(String csv) {
        return Stream.of(csv.split(",")).map(Integer::valueOf).collect(Collectors.toList());
    }

    /**
     * @param sliceCounts the slices each worker runs at once ({@code WORKER_SLICES}), each beside each worker count;
     *     empty: the worker's default (the machine's cores)
     */
    void runAll(List<String> only, List<Integer> workerCounts, List<Integer> batchSizes, List<Integer> sliceCounts)
            throws Exception {
        List<Integer> slicesEach = sliceCounts.isEmpty() ? java.util.Collections.singletonList(null) : sliceCounts;
        System.out.printf("backfill benchmark: %,d rows, %s, %d cores%s%n", table.rows(), database.description(),
                Runtime.getRuntime().availableProcessors(),
                pinned ? " besides PostgreSQL's own core (--pin-db)"
                        : ", shared by " + (database.isMariaDb() ? "MariaDB" : "PostgreSQL") + " and everything else");
        if (only.isEmpty() || only.contains("sql")) {
            record(sqlUpdate());
        }
        if (only.isEmpty() || only.contains("jdbc")) {
            record(jdbcLoop(1000));
            if (batchSizes.contains(100)) {
                record(jdbcLoop(100)); // the baseline of Keyway's small batches
            }
        }
        boolean spring = only.isEmpty() || only.contains("spring");
        if (spring && database.isMariaDb()) {
            System.out.println("  Spring Batch: not on MariaDB (its job repository here is PostgreSQL's)");
        } else if (spring) {
            record(springBatch(1000, 2));
            record(springBatch(1000, 4));
        }
        if (only.isEmpty() || only.contains("keyway") || only.contains("probe") || only.contains("images")) {
            // a fresh broker: topics of earlier runs would make it slower with every run
            Path kafkaDir = out.resolve("kafka").toAbsolutePath();
            LocalKafka.stop(kafkaDir);
            deleteTree(kafkaDir);
            LocalKafka broker = LocalKafka.start(kafkaDir, freePort(), freePort(),
                    System.getProperty("java.class.path"));
            try {
                for (int batch : only.isEmpty() || only.contains("keyway") ? batchSizes : List.<Integer>of()) {
                    for (int workers : workerCounts) {
                        for (Integer slices : slicesEach) {
                            record(keyway(broker, workers, slices, batch, null, false));
                        }
                    }
                }
                // issue 19: the same runs keeping before-images (run --keep-before-images), beside the plain ones
                for (int batch : only.contains("images") ? batchSizes : List.<Integer>of()) {
                    for (int workers : workerCounts) {
                        record(keyway(broker, workers, null, batch, null, true));
                    }
                }
                if (only.isEmpty() || only.contains("probe")) {
                    // one chain of batches, one worker: its gaps between batches are the pure cost outside the
                    // database. Last, so that it meets a warm broker, as a run on a live system would.
                    record(keyway(broker, 1, null, 1000, 1, false));
                }
            } finally {
                broker.stop();
            }
        }
        BenchReport.write(results, table.rows(), database, pinned, out);
    }

    private void record(Result r) {
        results.add(r);
        System.out.printf("  %-28s %9.1f s %,12.0f rows/s%n", r.contender(), r.seconds(), r.rowsPerSecond());
    }

    // ---- contenders

    private Result sqlUpdate() throws Exception {
        table.reset();
        CpuMark mark = new CpuMark();
        long t0 = System.nanoTime();
        try (Connection c = new Sql(db).connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("UPDATE bench SET derived = " + BenchTable.EXPECTED + ", touched = touched + 1");
            Result r = simple("1 SQL UPDATE (offline limit)", t0, mark); // before its backend ends
            table.check(r.contender());
            return r;
        }
    }

    /** The hand-written baseline ({@link JdbcKeysetLoop}). */
    private Result jdbcLoop(int batch) throws Exception {
        table.reset();
        CpuMark mark = new CpuMark();
        long t0 = System.nanoTime();
        try (Connection c = new Sql(db).connect()) {
            JdbcKeysetLoop.run(c, batch, null);
            // while the connection is open: its backend's CPU time is gone once it closes
            Result r = simple("2 JDBC keyset loop, batch " + batch, t0, mark);
            table.check(r.contender());
            return r;
        }
    }

    private Result springBatch(int chunk, int partitions) throws Exception {
        table.reset();
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setJdbcUrl(db.jdbcUrl());
            ds.setUsername(db.user());
            ds.setPassword(db.password());
            ds.setMaximumPoolSize(partitions + 4);
            CpuMark mark = new CpuMark();
            long t0 = System.nanoTime();
            SpringBatchBackfill.run(ds, chunk, partitions);
            Result r = simple("3 Spring Batch, " + partitions + " partitions", t0, mark);
            table.check(r.contender());
            return r;
        }
    }

    /** @param slices each worker's {@code WORKER_SLICES}; null: its default (the machine's cores) */
    private Result keyway(LocalKafka broker, int workers, Integer slices, int batch, Integer segments, boolean images)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        table.reset();
        String name = (images ? "5 Keyway with images, " : "4 Keyway, ") + workers + " worker(s)"
                + (slices == null ? "" : " x " + slices + " slice(s)") + ", batch " + batch
                + (segments == null ? "" : ", " + segments + " seg.");
        Path logs = out.resolve("logs").resolve("w" + workers + "-x" + slices + "-b" + batch + "-s" + segments);
        try (ProcessCluster cluster = new ProcessCluster(bootstrap, db, logs)) {
            if (slices != null) {
                cluster.withEnv("WORKER_SLICES", slices.toString());
            }
            ServiceProcess coordinator = cluster.coordinator();
            List<ServiceProcess> ws = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                ws.add(cluster.worker());
            }
            awaitAssigned(ws);
            // warm up: a dry run (one batch, rolled back) through the coordinator and a worker
            long dry = System.currentTimeMillis();
            cluster.send(Command.Run.of("benchBackfill").withDryRun(true).withBatchSize(batch));
            cluster.await(s -> s.name().equals("benchBackfill") && s.updatedAt() >= dry && s.dryRuns().pending() == null
                    && s.dryRuns().last() != null, Duration.ofMinutes(2));

            CpuMark mark = new CpuMark();
            long coordinatorCpu = CpuTime.ofProcess(coordinator.pid());
            long workersCpu = ws.stream().mapToLong(w -> CpuTime.ofProcess(w.pid())).sum();
            long brokerCpu = CpuTime.ofProcess(broker.pid());
            long sent = System.currentTimeMillis();
            Event answer = cluster.send(Command.Run.of("benchBackfill").withBatchSize(batch).withSegments(segments)
                    .withKeepImages(images));
            if (!(answer instanceof Event.CommandAccepted)) {
                throw new IllegalStateException(name + ": " + answer);
            }
            MigrationStatus end = cluster.await(s -> s.name().equals("benchBackfill") && s.updatedAt() >= sent
                    && s.state() != MigrationState.IN_PROGRESS, Duration.ofHours(1));
            if (end.state() != MigrationState.SUCCESS) {
                throw new IllegalStateException(name + " ended " + end.state().json() + ": " + end.failure().error());
            }
            Map<String, Double> cpu = new LinkedHashMap<>();
            databaseCpu(mark, cpu);
            cpu.put("client", per1k(ws.stream().mapToLong(w -> CpuTime.ofProcess(w.pid())).sum() - workersCpu));
            cpu.put("coordinator", per1k(CpuTime.ofProcess(coordinator.pid()) - coordinatorCpu));
            cpu.put("broker", per1k(CpuTime.ofProcess(broker.pid()) - brokerCpu));
            long workerRss = ws.stream().mapToLong(ServiceProcess::peakRssMib).max().orElse(-1);
            long coordinatorRss = coordinator.peakRssMib();
            Result r = latencies(name, batch, cluster, end, sent, workerRss, coordinatorRss, cpu);
            table.check(name);
            // SIGTERM, not the cluster's SIGKILL: a service's flight recording (bin/bench --jfr) is written as it exits
            for (ServiceProcess w : ws) {
                w.stop();
            }
            coordinator.stop();
            return r;
        }
    }

    /**
     * Batch latency (worker-side), the cost per batch outside the database, and the time to the first batch. A
     * task's outcome covers a slice of batches: its time is shared by them, and so is the gap between one slice's
     * outcome and the next one's start (the Kafka round trip through the coordinator).
     */
    private Result latencies(String name, int batchSize, ProcessCluster cluster, MigrationStatus end, long sent,
                             long workerRss, long coordinatorRss, Map<String, Double> cpu) {
        JsonCodec codec = new JsonCodec();
        record Outcome(long at, Event.BatchCompleted e) {
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Inbound r : cluster.kafka().readToEnd(cluster.kafka().settings().topics().events())) {
            if (codec.decodeEvent(r.value()) instanceof Event.BatchCompleted c && c.key().runId().equals(end.run().runId())
                    && !c.replayed()) {
                outcomes.add(new Outcome(r.timestamp(), c));
            }
        }
        java.util.function.ToIntFunction<Outcome> batchesOf =
                o -> Math.max(1, (o.e().processed() + batchSize - 1) / batchSize);
        List<Double> batch = outcomes.stream().map(o -> (double) o.e().millis() / batchesOf.applyAsInt(o)).sorted()
                .collect(Collectors.toList());
        Map<Integer, List<Outcome>> bySegment = outcomes.stream()
                .collect(Collectors.groupingBy(o -> o.e().key().segment(), LinkedHashMap::new, Collectors.toList()));
        List<Double> outside = new ArrayList<>();
        for (List<Outcome> seg : bySegment.values()) {
            seg.sort(Comparator.comparingLong(Outcome::at));
            for (int i = 1; i < seg.size(); i++) {
                outside.add((double) (seg.get(i).at() - seg.get(i - 1).at() - seg.get(i).e().millis())
                        / batchesOf.applyAsInt(seg.get(i)));
            }
        }
        outside.sort(null);
        double first = outcomes.stream().mapToLong(Outcome::at).min().orElse(sent) - sent;
        double seconds = (end.run().latestEnd() - end.run().latestStart()) / 1000.0;
        return new Result(name, (int) end.progress().processed(), seconds, pct(batch, 50), pct(batch, 99), pct(outside,
                50), first,
                workerRss, coordinatorRss, cpu);
    }

    private static Double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static void awaitAssigned(List<ServiceProcess> workers) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long assigned = workers.stream().filter(w -> {
                try {
                    return w.output().contains("workers: assigned");
                } catch (IOException e) {
                    return false;
                }
            }).count();
            if (assigned == workers.size()) {
                return;
            }
            Mono.delay(Duration.ofMillis(200)).block();
        }
        throw new IllegalStateException("workers did not join their group within 60 s");
    }

    private Result simple(String name, long t0, CpuMark mark) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cpu = new LinkedHashMap<>();
        databaseCpu(mark, cpu);
        cpu.put("client", per1k(CpuTime.ofProcess(SELF) - mark.self));
        return new Result(name, table.rows(), seconds, null, null, null, null, null, null, cpu);
    }

    /** "db" (and on MariaDB "replica") since {@code mark}. */
    private void databaseCpu(CpuMark mark, Map<String, Double> cpu) {
        cpu.put("db", per1k(CpuTime.between(mark.database, database.cpu())));
        if (database.isMariaDb()) {
            cpu.put("replica", per1k(CpuTime.between(mark.replica, database.replicaCpu())));
        }
    }

    private double per1k(long cpuMillis) {
        return cpuMillis * 1000.0 / table.rows();
    }

    private static final long SELF = ProcessHandle.current().pid();

    /** CPU times at the start of a contender's timed part. */
    private final class CpuMark {
        final Map<Long, Long> database = BackfillBenchmark.this.database.cpu();
        final Map<Long, Long> replica = BackfillBenchmark.this.database.replicaCpu();
        final long self = CpuTime.ofProcess(SELF);
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
