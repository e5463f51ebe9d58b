package dev.keyway.it.chaos;

import static org.junit.jupiter.api.Assertions.fail;

import dev.keyway.client.MigrationsClient;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.migration.Migration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaos test (issue 15): a seed decides a schedule of SIGKILLs and SIGSTOPs of the coordinators and workers
 * and of operator commands (run with and without limits, from the start, pause, resume, configure, cancel, cancel
 * all, dry run) against two non-idempotent migrations, while an application writes to the same tables. Then
 * every fault ends, the operator drives every migration to success, and the {@link Oracle} checks that nothing
 * was lost, repeated or wedged, and that the history topic holds each run's start and end exactly once
 * ({@link HistoryCheck}). On failure it prints the seed, how to replay it, the schedule, and what happened
 * when. Which seeds, how long and on which database (PostgreSQL, or MariaDB with {@code -Dchaos.db=mariadb}):
 * {@link ChaosProfile}; docs/CHAOS.md.
 */
class ChaosIT {

    private static final ChaosProfile PROFILE = ChaosProfile.fromSystemProperties();
    private static final Duration FINISH_TIMEOUT = Duration.ofMinutes(4);

    static Stream<Long> seeds() {
        return PROFILE.seeds().stream();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aSeededScheduleOfCrashesStallsAndOperatorCommandsLosesRepeatsAndWedgesNothing(long seed) throws Exception {
        Schedule schedule = Schedule.generate(seed, PROFILE.length());
        Path logs = Path.of("target", "it-logs", "ChaosIT", "seed-" + seed);
        Journal journal = new Journal();
        Verdict verdict = new Verdict();
        try (TestDatabase db = PROFILE.database().open()) {
            Sql sql = new Sql(Sql.options(db));
            ChaosMigrations.createTables(sql);
            try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(),
                    Sql.options(db), logs)) {
                MigrationsClient client = new MigrationsClient(cluster.kafka());
                try (StatusLog log = StatusLog.follow(client);
                     ScheduleRunner runner = new ScheduleRunner(cluster, client, journal)) {
                    Oracle oracle = new Oracle(sql, log);
                    runner.startServices();
                    journal.begin();
                    ApplicationWrites app = ApplicationWrites.start(sql, seed);
                    try (app) {
                        runner.run(schedule);
                        verdict.warnings(runner.restore(Duration.ofMinutes(1)));
                        verdict.problems(new Completion(runner, client, log, journal, PROFILE.stuckAfter(),
                                FINISH_TIMEOUT).finish());
                    }
                    verdict.detail(app.summary());
                    judge(client, log, oracle, verdict);
                    verdict.problems(app.lostWrites());
                    if (!verdict.clean()) {
                        verdict.detail(oracle.bookkeeping());
                    }
                }
            }
        } catch (Exception | AssertionError e) {
            e.printStackTrace(System.out);
            verdict.problems(List.of("the run itself failed: " + e));
        }
        boolean mariadb = PROFILE.database() == TestDatabase.Kind.MARIADB;
        String dbOption = mariadb ? "--db mariadb " : "";
        String dbProperty = mariadb ? "-Dchaos.db=mariadb " : "";
        String report = verdict.describe(seed + (mariadb ? " on mariadb" : ""))
                + "replay: bin/chaos " + dbOption + "--seed " + seed + " --seconds " + schedule.length().toSeconds()
                + "   (or " + dbProperty + "-Dchaos.seed=" + seed + " -Dchaos.seconds=" + schedule.length().toSeconds()
                + ")\n"
                + "service logs: " + logs.toAbsolutePath() + "\n"
                + schedule + "what happened:\n" + journal + "\n";
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("report.txt"), report);
        System.out.println(report);
        if (!verdict.clean()) {
            fail(report);
        }
    }

    /** Once every migration has succeeded: the oracle's checks on the whole history and the tables. */
    private static void judge(MigrationsClient client, StatusLog log, Oracle oracle, Verdict verdict) throws Exception {
        if (!verdict.clean()) {
            return;
        }
        for (Migration m : ChaosMigrations.ALL) {
            long latest = client.statuses().get(m.name()).updatedAt();
            if (!log.awaitWrittenSince(m.name(), latest, Duration.ofSeconds(30))) {
                verdict.problems(List.of("the status log did not catch up with " + m.name() + "'s latest status"));
            }
            verdict.problems(oracle.check(m));
            List<String> wrong = HistoryCheck.check(m.name(), client.history(m.name()), oracle.succeededRunIds(m));
            verdict.problems(wrong);
            if (!wrong.isEmpty()) {
                verdict.detail(m.name() + "'s statuses (run, state, processed, updatedAt): " + log.history(m.name()).stream()
                        .map(s -> s.run().runId() + " " + s.state().json() + " "
                                + s.progress().processed() + " " + s.updatedAt()).toList());
            }
            verdict.detail(m.name() + ": " + oracle.succeededRuns(m) + " run(s) succeeded");
        }
    }
}
