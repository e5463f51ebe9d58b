package dev.keyway.it.chaos;

import static org.junit.jupiter.api.Assertions.fail;

import dev.keyway.cli.MigrationsClient;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.migration.Migration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaos test (issue 15): a seed decides a schedule of SIGKILLs and SIGSTOPs of the coordinators and workers
 * and of operator commands (run with and without limits, from the start, pause, resume, configure, cancel, cancel
 * all, dry run) against two non-idempotent migrations, while an application writes to the same tables. Then
 * every fault ends, the operator drives every migration to success, and the {@link Oracle} checks that nothing
 * was lost, repeated or wedged. On failure it prints the seed, how to replay it, the schedule, and what happened
 * when. Which seeds and how long: {@link ChaosProfile}; docs/CHAOS.md.
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
        List<String> problems = new ArrayList<>();
        String summary = "";
        try (TestDatabase db = TestDatabase.postgres()) {
            Sql sql = new Sql(Sql.options(db));
            ChaosMigrations.createTables(sql);
            try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(),
                    Sql.options(db), logs)) {
                MigrationsClient client = new MigrationsClient(cluster.kafka());
                try (StatusLog log = StatusLog.follow(client);
                     ScheduleRunner runner = new ScheduleRunner(cluster, client, journal)) {
                    summary = play(schedule, sql, client, log, runner, journal, problems);
                }
            }
        } catch (Exception | AssertionError e) {
            problems.add("the run itself failed: " + e);
        }
        String report = report(schedule, journal, problems, summary, logs);
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("report.txt"), report);
        System.out.println(report);
        if (!problems.isEmpty()) {
            fail(report);
        }
    }

    /** Plays the schedule, finishes every migration, checks; returns a summary and adds what went wrong. */
    private static String play(Schedule schedule, Sql sql, MigrationsClient client, StatusLog log,
                               ScheduleRunner runner, Journal journal, List<String> problems) throws Exception {
        runner.startServices();
        journal.begin();
        ApplicationWrites app = ApplicationWrites.start(sql, schedule.seed());
        try {
            runner.run(schedule);
            problems.addAll(runner.restore(Duration.ofMinutes(1)));
            problems.addAll(new Completion(runner, client, log, journal, PROFILE.stuckAfter(), FINISH_TIMEOUT).finish());
        } finally {
            app.close();
        }
        Oracle oracle = new Oracle(sql, log);
        StringBuilder summary = new StringBuilder(app.summary());
        if (problems.isEmpty()) {
            for (Migration m : ChaosMigrations.ALL) {
                // the oracle judges the whole history: let the log catch up with the latest status
                long latest = client.statuses().get(m.name()).updatedAt();
                if (!log.awaitWrittenSince(m.name(), latest, Duration.ofSeconds(30))) {
                    problems.add("the status log did not catch up with " + m.name() + "'s latest status");
                }
                problems.addAll(oracle.check(m));
                summary.append("; ").append(m.name()).append(": ").append(oracle.succeededRuns(m))
                        .append(" runs succeeded");
            }
        }
        problems.addAll(app.lostWrites());
        if (!problems.isEmpty()) {
            summary.append('\n').append(oracle.bookkeeping());
        }
        return summary.toString();
    }

    private static String report(Schedule schedule, Journal journal, List<String> problems, String summary, Path logs) {
        String verdict = problems.isEmpty() ? "CHAOS seed " + schedule.seed() + ": clean"
                : "CHAOS seed " + schedule.seed() + " FAILED:\n  - " + String.join("\n  - ", problems);
        return verdict + "\n" + summary
                + "\nreplay: bin/chaos --seed " + schedule.seed() + " --seconds " + schedule.length().toSeconds()
                + "   (or -Dchaos.seed=" + schedule.seed() + " -Dchaos.seconds=" + schedule.length().toSeconds() + ")"
                + "\nservice logs: " + logs.toAbsolutePath()
                + "\n" + schedule
                + "what happened:\n" + journal + "\n";
    }
}
