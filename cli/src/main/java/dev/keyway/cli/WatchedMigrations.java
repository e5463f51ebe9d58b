package dev.keyway.cli;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Which migrations a watch follows, and when it is over: a pure function of the statuses seen, so that
 * {@code run --wait}, {@code status --watch} and the demo end alike.
 *
 * @param names the migrations watched, in the order shown (a series: the run's, then its {@code next}); empty for
 *     every migration there is, including those that start while watching
 * @param since only statuses written at or after this time (epoch millis) count: a {@code run --wait} ignores what
 *     an earlier run of the same migrations left; 0 counts every status
 */
record WatchedMigrations(List<String> names, long since) {

    /** Exit code of a watch in which every migration succeeded (or never ran). */
    static final int ALL_SUCCEEDED = 0;
    /** Exit code of a watch in which a migration failed or was canceled. */
    static final int FAILED_OR_CANCELED = 1;

    WatchedMigrations {
        names = List.copyOf(names);
    }

    /** Every migration, as it is now and as it goes on. */
    static WatchedMigrations all() {
        return new WatchedMigrations(List.of(), 0);
    }

    /** One migration, as it is now and as it goes on. */
    static WatchedMigrations one(String name) {
        return new WatchedMigrations(List.of(name), 0);
    }

    /** A series run at {@code since}: its first migration, then its {@code next} in order. */
    static WatchedMigrations series(String first, List<String> next, long since) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(next);
        return new WatchedMigrations(all, since);
    }

    boolean follows(String name) {
        return names.isEmpty() || names.contains(name);
    }

    /** Whether this status is one the watch takes in. */
    boolean counts(MigrationStatus s) {
        return follows(s.name()) && s.updatedAt() >= since;
    }

    /** The names to show: the watched ones in order, or every migration seen. */
    List<String> shown(Map<String, MigrationStatus> seen) {
        return names.isEmpty() ? List.copyOf(seen.keySet()) : names;
    }

    /**
     * The exit code once the watch is over, or empty while it goes on. It is over when at least one status counts
     * and every one that counts has settled: it succeeded, failed, was canceled or never ran (unknown), and, when
     * it succeeded and its series goes on with a migration this watch follows, that one has a status written since
     * (the coordinator starts it with the success, but its status may be read a moment later). A paused migration
     * has not settled: it may be resumed. The code is {@value #ALL_SUCCEEDED} when none failed or was canceled,
     * else {@value #FAILED_OR_CANCELED}.
     *
     * @param seen the latest status of each migration that counts (see {@link #counts})
     */
    OptionalInt exitCode(Map<String, MigrationStatus> seen) {
        if (seen.isEmpty()) {
            return OptionalInt.empty();
        }
        boolean failed = false;
        for (MigrationStatus s : seen.values()) {
            if (!settled(s, seen)) {
                return OptionalInt.empty();
            }
            failed |= s.state() == MigrationState.FAILED || s.state() == MigrationState.CANCELED
                    || s.state() == MigrationState.VERIFY_FAILED;
        }
        return OptionalInt.of(failed ? FAILED_OR_CANCELED : ALL_SUCCEEDED);
    }

    private boolean settled(MigrationStatus s, Map<String, MigrationStatus> seen) {
        return switch (s.state()) {
            case IN_PROGRESS, PAUSED, VERIFYING -> false;
            case FAILED, CANCELED, UNKNOWN, VERIFIED, VERIFY_FAILED -> true;
            case SUCCESS -> {
                if (s.run().next().isEmpty() || !follows(s.run().next().get(0))) {
                    yield true;
                }
                MigrationStatus following = seen.get(s.run().next().get(0));
                yield following != null && following.updatedAt() >= s.updatedAt();
            }
        };
    }
}
