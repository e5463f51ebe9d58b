package dev.keyway.cli;

import dev.keyway.client.MigrationsClient;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Follows the statuses of {@link WatchedMigrations} and shows them on a {@link LiveProgress} until the watch is over
 * ({@link WatchedMigrations#exitCode}), or for ever. Reads the latest statuses first, then each new one; redraws on
 * every status and once a {@code tick}, so rows/s and ETA move while no status comes. The {@code clock} gives the
 * time the views show.
 */
record ProgressWatch(MigrationsClient client, Clock clock, Duration tick) {

    static final Duration TICK = Duration.ofSeconds(1);
    /** How long {@code run --wait} waits for a series at most. */
    static final Duration SERIES_TIMEOUT = Duration.ofHours(24);

    /**
     * {@code run --wait} and the demo: the series {@code run} started at {@code sent} (its answer accepted), until it
     * succeeded or stopped; prints the whole error of a migration that failed. Returns the exit code.
     */
    static int awaitSeries(MigrationsClient client, Command.Run run, Event answer, long sent, PrintStream out) {
        if (run.next().isEmpty() && answer instanceof Event.CommandAccepted a && "skipped".equals(a.action())) {
            return WatchedMigrations.ALL_SUCCEEDED;
        }
        WatchedMigrations series = WatchedMigrations.series(run.fn(), run.next(), sent);
        Outcome end = new ProgressWatch(client, Clock.systemUTC(), TICK)
                .follow(series, LiveProgress.on(out), false, SERIES_TIMEOUT);
        printErrors(end, out);
        return end.exitCode();
    }

    /** {@code status [FN] --watch [--forever] [--json]}: until every migration watched has ended, or for ever. */
    static int watch(MigrationsClient client, String fn, boolean json, boolean forever, PrintStream out) {
        WatchedMigrations watched = fn == null ? WatchedMigrations.all() : WatchedMigrations.one(fn);
        LiveProgress view = json ? LiveProgress.json(out, client.codec()) : LiveProgress.on(out);
        Outcome end = new ProgressWatch(client, Clock.systemUTC(), TICK).follow(watched, view, forever,
                Duration.ofDays(3650));
        if (!json) {
            printErrors(end, out);
        }
        return end.exitCode();
    }

    private static void printErrors(Outcome end, PrintStream out) {
        end.seen().values().stream().filter(s -> s.failure().error() != null && (s.state() == MigrationState.FAILED
                || s.state() == MigrationState.CANCELED || s.state() == MigrationState.VERIFY_FAILED))
                .forEach(s -> out.println(s.name() + " " + s.state().json() + ": " + s.failure().error()));
    }

    /** What a watch ended with: its exit code and the last status seen of each migration watched. */
    record Outcome(int exitCode, Map<String, MigrationStatus> seen) {
    }

    /**
     * Shows the watched migrations until the watch is over, or until {@code timeout} (then fails naming it);
     * {@code forever} goes on after that, until the process is stopped. Closes the view.
     */
    Outcome follow(WatchedMigrations watched, LiveProgress view, boolean forever, Duration timeout) {
        Map<String, MigrationStatus> seen = new LinkedHashMap<>();
        try (view) {
            long from = client.statusEndOffset();
            client.statuses().values().forEach(s -> take(watched, seen, s));
            view.show(watched.shown(seen), seen, clock.millis());
            OptionalInt now = watched.exitCode(seen);
            if (now.isPresent() && !forever) {
                return new Outcome(now.getAsInt(), seen);
            }
            Flux<Optional<MigrationStatus>> ticks = Flux.interval(tick).map(t -> Optional.empty());
            Flux<Integer> ends = Flux.merge(client.statusChangesFrom(from).map(Optional::of), ticks)
                    .map(change -> {
                        change.ifPresent(s -> take(watched, seen, s));
                        view.show(watched.shown(seen), seen, clock.millis());
                        return watched.exitCode(seen);
                    })
                    .filter(end -> end.isPresent() && !forever)
                    .map(OptionalInt::getAsInt);
            if (forever) {
                ends.blockLast();
                throw new IllegalStateException("the status topic ended: is the broker still there?");
            }
            Integer code = ends.next().timeout(timeout, Mono.empty()).block();
            if (code == null) {
                throw new IllegalStateException("the watch of " + (watched.names().isEmpty() ? "every migration"
                        : watched.names()) + " did not end within " + timeout.toMinutes() + " min");
            }
            return new Outcome(code, seen);
        }
    }

    /**
     * Keeps a status that counts unless an older one of the same migration (a status read again after the
     * snapshot) would replace a newer one.
     */
    private static void take(WatchedMigrations watched, Map<String, MigrationStatus> seen, MigrationStatus s) {
        if (!watched.counts(s)) {
            return;
        }
        MigrationStatus had = seen.get(s.name());
        if (had == null || s.updatedAt() >= had.updatedAt()) {
            seen.put(s.name(), s);
        }
    }
}
