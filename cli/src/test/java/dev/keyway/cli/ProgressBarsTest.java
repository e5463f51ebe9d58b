package dev.keyway.cli;

import static dev.keyway.cli.Statuses.NOW;
import static dev.keyway.cli.Statuses.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {

    /** 5,000 of 20,000 rows in 10 s: 25%, 500 rows/s, 15,000 rows left at that rate take 30 s. */
    private final MigrationStatus quarter = running("backfillRole", 5_000, 20_000, 4, 1);

    @Test
    void aRunningMigrationShowsPercentRateEtaSegmentsAndState() {
        String line = one(quarter, 120);
        assertEquals("backfillRole [#######.....................]  25%       500 rows/s  ETA 30s       1/4 seg  inProgress",
                line);
        assertEquals(line.stripTrailing(), line);
    }

    @Test
    void theBarFillsWithTheShareProcessedAndIsFullOnlyOnceSucceeded() {
        assertEquals("[#####.....]", ProgressBars.bar(ProgressBars.fraction(running("m", 500, 1_000, 1, 0)), 12));
        assertEquals("[#########.]", ProgressBars.bar(ProgressBars.fraction(running("m", 1_000, 1_000, 1, 0)), 12),
                "not full while running, even when the estimate is reached");
        MigrationStatus done = Statuses.in(running("m", 1_000, 1_000, 1, 1), MigrationState.SUCCESS, NOW);
        assertEquals("[##########]", ProgressBars.bar(ProgressBars.fraction(done), 12));
        assertEquals("[..........]", ProgressBars.bar(ProgressBars.fraction(quarter.change().total(null).build()), 12),
                "empty when the total is unknown (a run from a cursor)");
    }

    @Test
    void aSucceededMigrationShowsItsAverageRateAndNoEta() {
        MigrationStatus done = Statuses.in(running("m", 20_000, 20_000, 4, 4), MigrationState.SUCCESS, NOW);
        String line = one(done, 120);
        assertTrue(line.contains(" 100%     2,000 rows/s  ETA -  "), line);
        assertTrue(line.endsWith("4/4 seg  success"), line);
        assertEquals(ProgressBars.Tone.SUCCEEDED, ProgressBars.tone(done));
    }

    @Test
    void aPausedMigrationSaysWhoPausedIt() {
        MigrationStatus byOperator = Statuses.in(quarter, MigrationState.PAUSED, NOW).change().pausedBy("operator").build();
        MigrationStatus byHealth = Statuses.in(quarter, MigrationState.PAUSED, NOW).change().pausedBy("health")
                .throttledBy("paused: replica lag 9 MB > 2 x 4 MB").build();
        assertTrue(one(byOperator, 120).endsWith("paused by operator"), one(byOperator, 120));
        assertTrue(one(byHealth, 160).endsWith("paused by health, paused: replica lag 9 MB > 2 x 4 MB"),
                one(byHealth, 160));
        assertEquals(ProgressBars.Tone.HELD, ProgressBars.tone(byOperator));
    }

    @Test
    void aThrottledMigrationSaysWhy() {
        MigrationStatus throttled = quarter.change().throttledBy("throttled to 25%: lock wait 900 ms > 500 ms").build();
        assertTrue(one(throttled, 160).endsWith("inProgress, throttled to 25%: lock wait 900 ms > 500 ms"),
                one(throttled, 160));
        assertEquals(ProgressBars.Tone.HELD, ProgressBars.tone(throttled));
        assertEquals(ProgressBars.Tone.RUNNING, ProgressBars.tone(quarter));
    }

    @Test
    void aRunningMigrationSaysWhatLimitsItInAWordAndHealthsReasonComesFirst() {
        MigrationStatus limited = quarter.change().limitedBy("rate: at most 500 rows/s").build();
        assertTrue(one(limited, 120).endsWith("1/4 seg  inProgress, limited by rate"), one(limited, 120));
        MigrationStatus both = limited.change().limitedBy("health: throttled to 50%: x")
                .throttledBy("throttled to 50%: x").build();
        assertTrue(one(both, 160).endsWith("inProgress, throttled to 50%: x"), one(both, 160));
        MigrationStatus paused = Statuses.in(limited, MigrationState.PAUSED, NOW).change().pausedBy("operator").build();
        assertTrue(one(paused, 120).endsWith("paused by operator"), "limitedBy is of a running run: " + one(paused, 120));
    }

    @Test
    void aFailedMigrationShowsTheFirstLineOfItsError() {
        MigrationStatus failed = Statuses.in(quarter, MigrationState.FAILED, NOW);
        assertTrue(one(failed, 160).endsWith("failed: batch at [42] failed: boom"), one(failed, 160));
        assertEquals(ProgressBars.Tone.FAILED, ProgressBars.tone(failed));
    }

    @Test
    void theBarsOfSeveralMigrationsLineUpAndThoseNotStartedWait() {
        Map<String, MigrationStatus> latest = new LinkedHashMap<>();
        latest.put("a", running("a", 100, 1_000, 1, 0));
        latest.put("longerName", running("longerName", 900, 1_000, 1, 0).change().latestStart(NOW - 3_725_000).build());
        List<ProgressBars.Row> rows = ProgressBars.rows(List.of("a", "longerName", "third"), latest, NOW, 120);
        assertEquals(3, rows.size());
        assertEquals(rows.get(0).text().indexOf('['), rows.get(1).text().indexOf('['));
        assertEquals(rows.get(0).text().indexOf("rows/s"), rows.get(1).text().indexOf("rows/s"));
        assertTrue(rows.get(1).text().contains("ETA 6m53s"), rows.get(1).text());
        assertEquals("third      waiting", rows.get(2).text());
        assertEquals(rows.get(0).text().indexOf('['), rows.get(2).text().indexOf('w'), "where the bars start");
        assertEquals(ProgressBars.Tone.WAITING, rows.get(2).tone());
    }

    @Test
    void aNarrowTerminalShrinksTheBarThenDropsItThenCutsTheLine() {
        String wide = one(quarter, 200);
        String narrower = one(quarter, 85);
        String narrow = one(quarter, 60);
        String tiny = one(quarter, 30);
        assertEquals(ProgressBars.MAX_BAR, wide.indexOf(']') - wide.indexOf('[') + 1);
        assertTrue(narrower.length() <= 85 && narrower.contains("[") && narrower.endsWith("inProgress"), narrower);
        assertTrue(narrower.indexOf(']') - narrower.indexOf('[') + 1 < ProgressBars.MAX_BAR, narrower);
        assertFalse(narrow.contains("["), narrow);
        assertTrue(narrow.length() <= 60 && narrow.startsWith("backfillRole  25%"), narrow);
        assertEquals(30, tiny.length());
        assertTrue(tiny.endsWith("..."), tiny);
    }

    @Test
    void everyBarShrinksToLeaveRoomForTheLongestStateSoTheyStillLineUp() {
        MigrationStatus paused = Statuses.in(running("other", 10, 100, 1, 0), MigrationState.PAUSED, NOW).change()
                .pausedBy("operator").build();
        List<ProgressBars.Row> rows = ProgressBars.rows(List.of("backfillRole", "other"),
                Map.of("backfillRole", quarter, "other", paused), NOW, 95);
        assertTrue(rows.get(1).text().endsWith("paused by operator"), rows.get(1).text());
        assertEquals(rows.get(0).text().indexOf(']'), rows.get(1).text().indexOf(']'));
        assertTrue(rows.get(0).text().indexOf(']') - rows.get(0).text().indexOf('[') + 1 < ProgressBars.MAX_BAR);
    }

    @Test
    void whyARunIsHeldBackGoesOnALineOfItsOwnUnderTheBarWhenItDoesNotFitBesideIt() {
        MigrationStatus throttled = quarter.change().throttledBy("throttled to 6%: the throttle query returned 1.5,"
                + " over its limit of 1 (THROTTLE_QUERY_MAX)").build();
        List<ProgressBars.Row> rows = ProgressBars.rows(List.of("backfillRole"), Map.of("backfillRole", throttled),
                NOW, 110);
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).text().endsWith("seg  inProgress"), rows.get(0).text());
        assertEquals(ProgressBars.MAX_BAR, rows.get(0).text().indexOf(']') - rows.get(0).text().indexOf('[') + 1,
                "the reason does not shrink the bar");
        assertEquals("             throttled to 6%: the throttle query returned 1.5, over its limit of 1"
                + " (THROTTLE_QUERY_MAX)", rows.get(1).text());
        assertEquals(ProgressBars.Tone.HELD, rows.get(1).tone());
    }

    @Test
    void aPlainLineHasNoBarNoPaddingAndNoEscapeCode() {
        String line = ProgressBars.plainLine(quarter, NOW);
        assertEquals("backfillRole  25%  500 rows/s  ETA 30s  1/4 seg  inProgress", line);
        assertFalse(line.contains("\u001b"));
    }

    private static String one(MigrationStatus s, int width) {
        return ProgressBars.rows(List.of(s.name()), Map.of(s.name(), s), NOW, width).get(0).text();
    }
}
