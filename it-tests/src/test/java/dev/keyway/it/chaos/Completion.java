package dev.keyway.it.chaos;

import dev.keyway.client.MigrationsClient;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * After the schedule, what an operator does to finish: resume what is paused, run again what failed or was
 * canceled (a resume of the same run), and wait for the rest, until every migration has succeeded. A migration
 * in progress whose status has not moved for {@code stuckAfter} is wedged: nothing will finish it.
 */
final class Completion {

    private final ScheduleRunner operator;
    private final MigrationsClient client;
    private final StatusLog log;
    private final Journal journal;
    private final Duration stuckAfter;
    private final Duration timeout;

    Completion(ScheduleRunner operator, MigrationsClient client, StatusLog log, Journal journal, Duration stuckAfter,
               Duration timeout) {
        this.operator = operator;
        this.client = client;
        this.log = log;
        this.journal = journal;
        this.stuckAfter = stuckAfter;
        this.timeout = timeout;
    }

    /** Drives every migration to success; returns why some did not get there (wedged, or out of time). */
    List<String> finish() throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (true) {
            Map<String, MigrationStatus> statuses = client.statuses();
            List<String> open = new ArrayList<>();
            List<String> stuck = new ArrayList<>();
            for (Migration m : ChaosMigrations.ALL) {
                MigrationStatus s = statuses.get(m.name());
                MigrationState state = s == null ? MigrationState.UNKNOWN : s.state();
                if (succeeded(state)) {
                    continue;
                }
                open.add(m.name() + " " + state.json());
                if (state == MigrationState.PAUSED) {
                    journal.note("[finish] resume " + m.name() + " -> " + operator.operate(new Command.Resume(m.name())));
                } else if (!state.running()) {
                    if (s != null && s.failure().error() != null) {
                        journal.note("[finish] " + m.name() + " " + state.json() + ": " + s.failure().error());
                    }
                    journal.note("[finish] run " + m.name() + " -> " + operator.operate(Command.Run.of(m.name())));
                } else if (System.currentTimeMillis() - log.movedAt(m.name()) > stuckAfter.toMillis()) {
                    stuck.add(wedged(s));
                }
            }
            if (open.isEmpty()) {
                journal.note("[finish] every migration succeeded");
                return List.of();
            }
            if (!stuck.isEmpty()) {
                return stuck;
            }
            if (System.currentTimeMillis() > deadline) {
                return List.of("not finished within " + timeout.toSeconds() + " s of the schedule's end: " + open);
            }
            log.awaitNext(Duration.ofSeconds(2));
        }
    }

    /**
     * Whether a migration in this state has a run that succeeded and nothing running: success, or a verify of it
     * that ended (verified, or verifyFailed: it finds every row of the chaos migrations, which add 1 each time).
     */
    static boolean succeeded(MigrationState state) {
        return state == MigrationState.SUCCESS || state == MigrationState.VERIFIED
                || state == MigrationState.VERIFY_FAILED;
    }

    private String wedged(MigrationStatus s) {
        return "WEDGED: " + s.name() + " is " + s.state().json() + " (run " + s.run().runId() + ", " + s.progress().processed() + " rows, "
                + s.progress().segments().stream().filter(x -> !x.done()).count() + " of " + s.progress().segments().size()
                + " segments not done, limits " + s.pace().limits() + ") and its status has not moved for "
                + (System.currentTimeMillis() - log.movedAt(s.name())) / 1000 + " s; segments not done: "
                + s.progress().segments().stream().filter(x -> !x.done())
                        .map(x -> "#" + x.index() + " at " + x.position() + (x.delayedBy() == null ? "" : " delayed"))
                        .toList();
    }
}
