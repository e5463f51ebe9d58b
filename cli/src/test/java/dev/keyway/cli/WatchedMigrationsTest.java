package dev.keyway.cli;

import static dev.keyway.cli.Statuses.NOW;
import static dev.keyway.cli.Statuses.in;
import static dev.keyway.cli.Statuses.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class WatchedMigrationsTest {

    private final MigrationStatus a = running("a", 10, 100, 1, 0);
    private final MigrationStatus b = running("b", 10, 100, 1, 0);

    @Test
    void aWatchGoesOnWhileAMigrationRunsOrIsPaused() {
        assertEquals(OptionalInt.empty(), WatchedMigrations.all().exitCode(seen(a, in(b, MigrationState.SUCCESS, NOW))));
        assertEquals(OptionalInt.empty(), WatchedMigrations.one("a").exitCode(seen(in(a, MigrationState.PAUSED, NOW))),
                "a paused migration may be resumed");
    }

    @Test
    void aWatchEndsWithZeroWhenEveryMigrationSucceededOrNeverRan() {
        MigrationStatus neverRan = MigrationStatus.unknown("c", 100).withUpdatedAt(NOW);
        assertEquals(OptionalInt.of(0), WatchedMigrations.all().exitCode(
                seen(in(a, MigrationState.SUCCESS, NOW), in(b, MigrationState.SUCCESS, NOW), neverRan)));
    }

    @Test
    void aWatchEndsWithOneWhenAMigrationFailedOrWasCanceled() {
        assertEquals(OptionalInt.of(1), WatchedMigrations.all().exitCode(
                seen(in(a, MigrationState.SUCCESS, NOW), in(b, MigrationState.FAILED, NOW))));
        assertEquals(OptionalInt.of(1), WatchedMigrations.one("b").exitCode(seen(in(b, MigrationState.CANCELED, NOW))));
    }

    @Test
    void aSeriesIsOverWhenItsLastSucceededOrOneOfItStopped() {
        WatchedMigrations series = WatchedMigrations.series("a", List.of("b"), NOW - 1);
        MigrationStatus aDone = in(a.change().next(List.of("b")).build(), MigrationState.SUCCESS, NOW);
        assertEquals(OptionalInt.empty(), series.exitCode(seen(aDone)), "b is about to start");
        assertEquals(OptionalInt.empty(), series.exitCode(seen(aDone, b)));
        assertEquals(OptionalInt.of(0), series.exitCode(seen(aDone, in(b, MigrationState.SUCCESS, NOW))));
        assertEquals(OptionalInt.of(1), series.exitCode(seen(in(a, MigrationState.FAILED, NOW))),
                "a series stops at a failure: b never starts");
        assertEquals(OptionalInt.empty(), series.exitCode(seen()), "nothing of the run seen yet");
    }

    @Test
    void aMigrationWhoseSeriesGoesOnIsNotOverUntilTheNextOneHasAStatusWrittenSince() {
        MigrationStatus aDone = in(a.change().next(List.of("b")).build(), MigrationState.SUCCESS, NOW);
        MigrationStatus bFromLastWeek = in(b, MigrationState.SUCCESS, NOW - 604_800_000);
        assertEquals(OptionalInt.empty(), WatchedMigrations.all().exitCode(seen(aDone, bFromLastWeek)),
                "b's status is its last run's: the coordinator is starting it again");
        assertEquals(OptionalInt.of(0), WatchedMigrations.one("a").exitCode(seen(aDone)),
                "watching a alone: b is not watched");
    }

    @Test
    void aRunWaitCountsOnlyStatusesWrittenSinceItsRun() {
        WatchedMigrations series = WatchedMigrations.series("a", List.of("b"), NOW);
        assertFalse(series.counts(in(a, MigrationState.SUCCESS, NOW - 1)), "an earlier run's success");
        assertTrue(series.counts(running("a", 0, 100, 1, 0)));
        assertFalse(series.counts(running("c", 0, 100, 1, 0)), "not of the series");
        assertEquals(List.of("a", "b"), series.shown(seen()));
        assertEquals(List.of("b", "a"), WatchedMigrations.all().shown(seen(b, a)));
    }

    private static Map<String, MigrationStatus> seen(MigrationStatus... statuses) {
        Map<String, MigrationStatus> m = new LinkedHashMap<>();
        for (MigrationStatus s : statuses) {
            m.put(s.name(), s);
        }
        return m;
    }
}
