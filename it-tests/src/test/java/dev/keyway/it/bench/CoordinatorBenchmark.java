package dev.keyway.it.bench;

import dev.keyway.cli.LocalKafka;
import dev.keyway.client.MigrationsClient;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import reactor.core.publisher.Mono;

/**
 * {@code bin/bench --coordinator}: how many slice outcomes one coordinator takes per second, and what each costs, from
 * 1 to 100 migrations and from 4 to 256 segments each. A real coordinator (its own process, as {@code bin/migrate}
 * runs it), a real broker and PostgreSQL; the workers are simulated ({@link SimulatedWorkers}): they answer each task
 * at once with a slice of {@value SliceChain#BATCHES} batches of {@value SliceChain#BATCH} rows, and do no database
 * work. The coordinator does all of its own: for each outcome it reads the ledger's chain of the slice's batches (one
 * recursive query over {@value SliceChain#BATCHES} ledger rows, written up front by {@link SliceChain#LEDGER_SQL}),
 * then writes the migration's status, the segment's next task and the consumed offset in one Kafka transaction.
 *
 * <p>Each configuration: its runs started and planned, their ledger written, a warm-up, the timed window, then the
 * runs ended (every segment's last slice) and checked: each migration ends in success, and their rows add up to
 * exactly what the simulated workers claimed. The benchmark fails (exit 1) if the coordinator stops answering for
 * {@value #STALL_SECONDS} s, dies, or a migration fails.
 *
 * <p>{@code bin/bench --coordinator [--migrations 1,10,100] [--segments 4,64,256] [--seconds 20] [--warmup 5]}
 */
public final class CoordinatorBenchmark {

    /** How long the coordinator may hand out no task before the benchmark gives up. */
    static final int STALL_SECONDS = 30;
    private static final int TABLE_ROWS = 100_000;
    private static final Duration PLAN_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration END_TIMEOUT = Duration.ofMinutes(10);
    /** The status topic is not compacted during a run: its log then grows by exactly what the coordinator writes. */
    private static final String NO_COMPACTION_MS = String.valueOf(TimeUnit.DAYS.toMillis(1));

    private final StoreOptions db;
    private final Sql sql;
    private final LocalKafka broker;
    private final Path kafkaLogs;
    private final Path out;
    private final int seconds;
    private final int warmup;

    private CoordinatorBenchmark(StoreOptions db, LocalKafka broker, Path kafkaLogs, Path out, int seconds, int warmup) {
        this.db = db;
        this.sql = new Sql(db);
        this.broker = broker;
        this.kafkaLogs = kafkaLogs;
        this.out = out;
        this.seconds = seconds;
        this.warmup = warmup;
    }

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Throwable e) {
            // reactor's threads would keep the JVM alive after main ends with an exception
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        List<Integer> migrations = List.of(1, 10, 100);
        List<Integer> segments = List.of(4, 64, 256);
        int seconds = 20;
        int warmup = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--coordinator" -> { }
                case "--db" -> {
                    if (!args[++i].equals("postgres")) {
                        throw new IllegalArgumentException("bin/bench --coordinator runs on PostgreSQL only");
                    }
                }
                case "--migrations" -> migrations = ints(args[++i]);
                case "--segments" -> segments = ints(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bin/bench"
                        + " --coordinator [--migrations 1,10,100] [--segments 4,64,256] [--seconds 20] [--warmup 5]");
            }
        }
        Path out = Path.of("target", "bench").toAbsolutePath();
        Path kafkaDir = out.resolve("kafka-coordinator");
        LocalKafka.stop(kafkaDir);
        BackfillBenchmark.deleteTree(kafkaDir);
        try (TestDatabase pg = TestDatabase.postgres()) {
            StoreOptions db = Sql.options(pg);
            new Sql(db).exec("CREATE TABLE " + CoordinatorBenchMigrations.TABLE + " (id BIGINT PRIMARY KEY)",
                    "INSERT INTO " + CoordinatorBenchMigrations.TABLE + " SELECT g FROM generate_series(1, " + TABLE_ROWS
                            + ") g", "VACUUM ANALYZE " + CoordinatorBenchMigrations.TABLE);
            LocalKafka broker = LocalKafka.start(kafkaDir, BackfillBenchmark.freePort(), BackfillBenchmark.freePort(),
                    System.getProperty("java.class.path"));
            try {
                String machine = Runtime.getRuntime().availableProcessors() + " cores, PostgreSQL " + pg.jdbcUrl()
                        + ", Java " + Runtime.version();
                System.out.printf("coordinator benchmark: %s; %d s timed after %d s of warm-up; slices of %d batches of"
                        + " %d rows%n", machine, seconds, warmup, SliceChain.BATCHES, SliceChain.BATCH);
                CoordinatorBenchmark bench = new CoordinatorBenchmark(db, broker, kafkaDir.resolve("logs"), out, seconds,
                        warmup);
                List<CoordinatorReport.Result> results = new ArrayList<>();
                for (int m : migrations) {
                    for (int s : segments) {
                        results.add(bench.configuration(m, s));
                    }
                }
                CoordinatorReport.write(results, machine, out);
            } finally {
                broker.stop();
            }
        }
    }

    private static List<Integer> ints(String csv) {
        return Stream.of(csv.split(",")).map(String::trim).map(Integer::valueOf).collect(Collectors.toList());
    }

    /** CPU times, tasks and topic sizes at one moment. */
    private record Mark(long nanos, long tasks, long coordinatorCpu, long brokerCpu, Map<Long, Long> database,
                        long selfCpu, long statusBytes, long otherBytes) {
    }

    private Mark mark(ServiceProcess coordinator, SimulatedWorkers workers, Topics topics) throws IOException {
        return new Mark(System.nanoTime(), workers.tasks(), CpuTime.ofProcess(coordinator.pid()),
                CpuTime.ofProcess(broker.pid()), CpuTime.ofPostgres(), CpuTime.ofProcess(ProcessHandle.current().pid()),
                logBytes(topics.status()), logBytes(topics.tasks()) + logBytes(topics.history()));
    }

    private CoordinatorReport.Result configuration(int migrations, int segments) throws Exception {
        String label = migrations + " migration(s) x " + segments + " segments";
        System.out.printf("  %s:", label);
        // the fences and ledgers of the configuration before; the coordinator of each creates them
        sql.exec("DO $$ BEGIN IF to_regclass('keyway_ledger') IS NOT NULL THEN TRUNCATE keyway_ledger, keyway_fence;"
                + " END IF; END $$");
        Path logs = out.resolve("logs").resolve("coordinator-m" + migrations + "-s" + segments);
        Topics topics;
        try (ProcessCluster cluster = new ProcessCluster(broker.bootstrapServers(), db, logs)
                .withEnv(CoordinatorBenchMigrations.COUNT_ENV, String.valueOf(migrations));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            topics = cluster.kafka().settings().topics();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.status()),
                    List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, NO_COMPACTION_MS),
                            AlterConfigOp.OpType.SET)))).all().get();
            ServiceProcess coordinator = cluster.coordinator();
            for (int i = 0; i < migrations; i++) {
                Event answer = cluster.send(Command.Run.of(CoordinatorBenchMigrations.name(i))
                        .withBatchSize(SliceChain.BATCH).withSegments(segments));
                if (!(answer instanceof Event.CommandAccepted)) {
                    throw new IllegalStateException(label + ": run " + CoordinatorBenchMigrations.name(i) + " got "
                            + answer);
                }
            }
            awaitFences(coordinator, migrations * segments, label);
            long ledgerStart = System.nanoTime();
            int written = update(SliceChain.LEDGER_SQL);
            sql.exec("ANALYZE keyway_ledger");
            double ledgerSeconds = (System.nanoTime() - ledgerStart) / 1e9;
            if (written != migrations * segments * SliceChain.ENTRIES) {
                throw new IllegalStateException(label + ": wrote " + written + " ledger rows");
            }
            System.out.printf(" ledger %.1f s;", ledgerSeconds);

            try (SimulatedWorkers workers = new SimulatedWorkers(cluster.kafka())) {
                workers.start();
                watch(coordinator, workers, warmup, label + ", warming up");
                Mark from = mark(coordinator, workers, topics);
                watch(coordinator, workers, seconds, label);
                Mark to = mark(coordinator, workers, topics);
                CoordinatorReport.Result r = new CoordinatorReport.Result(migrations, segments,
                        (to.nanos() - from.nanos()) / 1e9, to.tasks() - from.tasks(),
                        to.coordinatorCpu() - from.coordinatorCpu(), CpuTime.between(from.database(), to.database()),
                        to.brokerCpu() - from.brokerCpu(), to.selfCpu() - from.selfCpu(),
                        to.statusBytes() - from.statusBytes(), to.otherBytes() - from.otherBytes(),
                        -1, -1, ledgerSeconds);
                System.out.printf(" %,.0f outcomes/s;", r.outcomesPerSecond());
                end(cluster, coordinator, workers, migrations, segments, label);
                r = new CoordinatorReport.Result(r.migrations(), r.segments(), r.seconds(), r.outcomes(),
                        r.coordinatorCpuMs(), r.databaseCpuMs(), r.brokerCpuMs(), r.workersCpuMs(), r.statusBytes(),
                        r.otherBytes(), heapMib(coordinator.pid()), coordinator.peakRssMib(), r.ledgerSeconds());
                System.out.println(" ended, checked");
                coordinator.stop();
                return r;
            }
        } finally {
            deleteTopics(logs);
        }
    }

    /** Waits until every run's fence is written: each segment's row, open. */
    private void awaitFences(ServiceProcess coordinator, int expected, String label) throws Exception {
        long deadline = System.nanoTime() + PLAN_TIMEOUT.toNanos();
        long fenced = 0;
        while (System.nanoTime() < deadline) {
            fenced = sql.count("SELECT COUNT(*) FROM keyway_fence WHERE migration LIKE '"
                    + CoordinatorBenchMigrations.PREFIX + "%' AND segment >= 0 AND state = 'open'");
            if (fenced == expected) {
                return;
            }
            alive(coordinator, label);
            Mono.delay(Duration.ofMillis(200)).block();
        }
        throw new IllegalStateException(label + ": " + fenced + " of " + expected + " segments were planned and fenced"
                + " after " + PLAN_TIMEOUT.toSeconds() + " s; see " + coordinator.name() + "'s log");
    }

    /** Lets {@code seconds} pass, failing as soon as the coordinator dies or stops handing out tasks. */
    private static void watch(ServiceProcess coordinator, SimulatedWorkers workers, int seconds, String label) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < until) {
            Mono.delay(Duration.ofMillis(Math.min(500, Math.max(1, (until - System.nanoTime()) / 1_000_000)))).block();
            check(coordinator, workers, label);
        }
    }

    private static void check(ServiceProcess coordinator, SimulatedWorkers workers, String label) {
        alive(coordinator, label);
        workers.check();
        if (workers.secondsSinceLastTask() > STALL_SECONDS) {
            throw new IllegalStateException(label + ": the coordinator handed out no task for " + STALL_SECONDS
                    + " s (" + workers.tasks() + " so far); see " + coordinator.name() + "'s log");
        }
    }

    private static void alive(ServiceProcess coordinator, String label) {
        if (!coordinator.isAlive()) {
            throw new IllegalStateException(label + ": the coordinator died; see " + coordinator.name() + "'s log");
        }
    }

    /**
     * Ends every run: holds the tasks until each segment's is back (every outcome sent is taken), marks the cycles'
     * starts done, answers each held task with its segment's last slice; then checks that each migration succeeded and
     * that their rows add up to exactly what the workers claimed (every outcome counted once).
     */
    private void end(ProcessCluster cluster, ServiceProcess coordinator, SimulatedWorkers workers, int migrations,
                     int segments, String label) throws Exception {
        workers.hold();
        // the outcomes queued for the coordinator drain at its pace; it fails only if it stops handing out tasks
        while (workers.held() < migrations * segments) {
            check(coordinator, workers, label + ", ending (" + workers.held() + " of " + migrations * segments
                    + " segments' tasks back)");
            Mono.delay(Duration.ofMillis(100)).block();
        }
        int finished = update(SliceChain.FINISH_SQL);
        if (finished != migrations * segments) {
            throw new IllegalStateException(label + ": marked " + finished + " segments' ends in the ledger");
        }
        MigrationsClient client = new MigrationsClient(cluster.kafka());
        long from = client.statusEndOffset();
        workers.finish();
        Map<String, MigrationStatus> latest = new ConcurrentHashMap<>();
        client.statusChangesFrom(from)
                .filter(s -> s.name().startsWith(CoordinatorBenchMigrations.PREFIX))
                .doOnNext(s -> {
                    if (s.state() != MigrationState.IN_PROGRESS && s.state() != MigrationState.SUCCESS) {
                        throw new IllegalStateException(label + ": " + s.name() + " ended " + s.state().json() + ": "
                                + s.failure().error());
                    }
                    latest.put(s.name(), s);
                })
                .takeUntil(s -> latest.size() == migrations
                        && latest.values().stream().allMatch(st -> st.state() == MigrationState.SUCCESS))
                .timeout(END_TIMEOUT)
                .blockLast();
        long rows = latest.values().stream().mapToLong(s -> s.progress().processed()).sum();
        if (rows != workers.rowsClaimed()) {
            throw new IllegalStateException(label + ": the statuses count " + rows + " rows, the outcomes claimed "
                    + workers.rowsClaimed());
        }
    }

    private int update(String statement) throws Exception {
        try (Connection c = sql.connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, CoordinatorBenchMigrations.PREFIX + "%");
            return ps.executeUpdate();
        }
    }

    /** Bytes of a topic's log segments on the broker's disk, over its partitions. */
    private long logBytes(String topic) throws IOException {
        Pattern partition = Pattern.compile(Pattern.quote(topic) + "-\\d+");
        long bytes = 0;
        try (Stream<Path> dirs = Files.list(kafkaLogs)) {
            for (Path dir : dirs.filter(d -> partition.matcher(d.getFileName().toString()).matches()).toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                        bytes += Files.size(f);
                    }
                }
            }
        }
        return bytes;
    }

    /** Deletes the configuration's topics (found by the prefix of its log directory's cluster), freeing the disk. */
    private void deleteTopics(Path logs) {
        // ProcessCluster's prefix is random; the topics of this configuration are the only ones with migrations' names
        // in the broker's data that are not in use: delete every pc-* topic, none is in use between configurations
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<String> ours = admin.listTopics().names().get().stream().filter(t -> t.startsWith("pc-")).toList();
            admin.deleteTopics(ours).all().get();
        } catch (Exception e) {
            System.err.println("could not delete the topics of " + logs.getFileName() + ": " + e);
        }
    }

    /**
     * The coordinator's heap in use after a full collection (MiB), from {@code jcmd}; -1 when it cannot be had.
     */
    static long heapMib(long pid) {
        try {
            jcmd(pid, "GC.run");
            return heapUsedKib(jcmd(pid, "GC.heap_info")) / 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output;
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /**
     * The heap in use (KiB) that {@code jcmd PID GC.heap_info} reports: the sum over its generations (Serial,
     * Parallel) or its one heap (G1), without Metaspace.
     */
    static long heapUsedKib(String heapInfo) {
        long used = 0;
        for (String line : heapInfo.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                used += Long.parseLong(m.group(1));
            }
        }
        return used;
    }
}
