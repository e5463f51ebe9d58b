package dev.keyway.it.chaos;

import dev.keyway.it.support.TestDatabase;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;

/**
 * Which seeds a chaos run plays and for how long, from system properties (see docs/CHAOS.md):
 * {@code chaos.profile=open-bugs} (the seeds of bugs still open), else {@code chaos.seed} (one seed, to replay it), else {@code chaos.seeds} (a comma-separated list), else
 * {@code chaos.count} seeds from {@code chaos.firstSeed} (default: the time, printed), else the short profile
 * of the normal test suite ({@link #SHORT_SEEDS}). {@code chaos.seconds} (or {@code chaos.minutes}) is the length
 * of each seed's schedule; {@code chaos.stuckSeconds} how long an unpaused migration in progress may go without
 * its status moving before it counts as wedged. {@code chaos.db} is the database the seeds run on: {@code postgres}
 * (the default) or {@code mariadb} ({@code bin/chaos --db mariadb}).
 *
 * @param database the database of every seed: a fresh one of this kind each
 * @param seeds the seeds, each played as a test of its own
 * @param length each schedule's length
 * @param stuckAfter how long a status may stand still, once the schedule is over, before the run is wedged
 */
record ChaosProfile(TestDatabase.Kind database, List<Long> seeds, Duration length, Duration stuckAfter) {

    /**
     * Seeds that run clean on the code of their commit: the short profile of the normal test suite. 3 plays two
     * verifies, 448669 an undo of a run that succeeded while the application writes its rows (issue 19).
     */
    static final List<Long> SHORT_SEEDS = List.of(1L, 2L, 3L, 1127L, 448669L);
    /** 40 s: seed 1127's stall of a coordinator right after a {@code run} (t+25.4 s, for 14.7 s) fits in it. */
    static final Duration SHORT_LENGTH = Duration.ofSeconds(40);
    /**
     * Seeds that found a bug still open (docs/CHAOS.md, "Bugs found"), played for {@link #OPEN_BUG_LENGTH} by
     * {@code -Dchaos.profile=open-bugs} ({@code bin/chaos --open-bugs}); once fixed, move them to
     * {@link #SHORT_SEEDS} (with that length) so that they stay fixed.
     */
    static final List<Long> OPEN_BUG_SEEDS = List.of();
    static final Duration OPEN_BUG_LENGTH = Duration.ofSeconds(40);

    static ChaosProfile fromSystemProperties() {
        List<Long> seeds;
        Duration fallbackLength = SHORT_LENGTH;
        if ("open-bugs".equals(System.getProperty("chaos.profile"))) {
            if (OPEN_BUG_SEEDS.isEmpty()) {
                throw new IllegalStateException("no seed of a bug still open: the seeds of the bugs found so far are in"
                        + " the short profile " + SHORT_SEEDS + " (docs/CHAOS.md, \"Bugs found\")");
            }
            seeds = OPEN_BUG_SEEDS;
            fallbackLength = OPEN_BUG_LENGTH;
        } else if (System.getProperty("chaos.seed") != null) {
            seeds = List.of(Long.parseLong(System.getProperty("chaos.seed").trim()));
        } else if (System.getProperty("chaos.seeds") != null) {
            seeds = Arrays.stream(System.getProperty("chaos.seeds").split(",")).map(String::trim)
                    .filter(s -> !s.isEmpty()).map(Long::valueOf).toList();
        } else if (System.getProperty("chaos.count") != null) {
            long first = Long.getLong("chaos.firstSeed", System.currentTimeMillis() % 1_000_000);
            seeds = LongStream.range(first, first + Integer.getInteger("chaos.count")).boxed().toList();
        } else {
            seeds = SHORT_SEEDS;
        }
        Duration length = System.getProperty("chaos.minutes") != null
                ? Duration.ofMillis(Math.round(Double.parseDouble(System.getProperty("chaos.minutes")) * 60_000))
                : Duration.ofSeconds(Long.getLong("chaos.seconds", fallbackLength.toSeconds()));
        return new ChaosProfile(database(System.getProperty("chaos.db", "postgres")), seeds, length,
                Duration.ofSeconds(Long.getLong("chaos.stuckSeconds", 60)));
    }

    /** The database {@code chaos.db} names: {@code postgres} or {@code mariadb}, in any case. */
    static TestDatabase.Kind database(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "postgres", "postgresql" -> TestDatabase.Kind.POSTGRES;
            case "mariadb" -> TestDatabase.Kind.MARIADB;
            default -> throw new IllegalArgumentException("chaos.db must be postgres or mariadb, but was " + name);
        };
    }
}
