package dev.keyway.it.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.HistoryEntry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chaos test's check of the history: one start, ends and retries alternating, one success, last. */
class HistoryCheckTest {

    private static List<HistoryEntry> history(String... kinds) {
        return Arrays.stream(kinds).map(k -> new HistoryEntry(k, "m", "r1", 0, null, null, null, null, null)).toList();
    }

    @Test
    void aRunStartedCanceledRetriedAndSucceededWithPausesBetweenHolds() {
        assertTrue(HistoryCheck.check("m", history("started", "paused", "resumed", "canceled", "retried", "configured",
                "failed", "retried", "succeeded"), List.of("r1")).isEmpty());
    }

    @Test
    void aLostOrRepeatedEntryIsAProblem() {
        for (List<HistoryEntry> bad : List.of(history("started", "started", "succeeded"),
                history("started", "succeeded", "succeeded"), history("started", "canceled", "succeeded"),
                history("started", "retried", "succeeded"), history("succeeded"), history())) {
            assertEquals(1, HistoryCheck.check("m", bad, List.of("r1")).size(), bad.toString());
        }
    }
}
