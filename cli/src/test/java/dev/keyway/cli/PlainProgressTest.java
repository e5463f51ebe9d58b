package dev.keyway.cli;

import static dev.keyway.cli.Statuses.NOW;
import static dev.keyway.cli.Statuses.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainProgressTest {

    private final PlainProgress plain = new PlainProgress(new PrintStream(new ByteArrayOutputStream()));
    private final List<String> names = List.of("a", "b");

    @Test
    void printsALinePerMigrationFirstThenOnlyWhenSomethingChanged() {
        MigrationStatus a = running("a", 1_000, 10_000, 2, 0);
        assertEquals(List.of("a  10%  100 rows/s  ETA 1m30s  0/2 seg  inProgress"), lines(Map.of("a", a), NOW),
                "b waits for its turn: not printed");
        assertEquals(List.of(), lines(Map.of("a", running("a", 1_500, 10_000, 2, 0)), NOW + 1_000),
                "only the row count moved, within the same ten percent");
        assertEquals(1, lines(Map.of("a", running("a", 2_000, 10_000, 2, 0)), NOW + 2_000).size(), "20%");
        assertEquals(1, lines(Map.of("a", running("a", 2_100, 10_000, 2, 1)), NOW + 3_000).size(), "a segment done");
        MigrationStatus throttled = running("a", 2_200, 10_000, 2, 1).change().throttledBy("throttled to 50%: x").build();
        assertEquals(List.of("a  22%  157 rows/s  ETA 49s  1/2 seg  inProgress, throttled to 50%: x"),
                lines(Map.of("a", throttled), NOW + 4_000));
        MigrationStatus paused = Statuses.in(throttled, MigrationState.PAUSED, NOW).change().pausedBy("operator").build();
        assertEquals(List.of("a  22%  - rows/s  ETA -  1/2 seg  paused by operator, throttled to 50%: x"),
                lines(Map.of("a", paused), NOW + 5_000));
        assertEquals(List.of(), lines(Map.of("a", paused), NOW + 60_000), "nothing moves while paused");
        assertEquals(List.of("b  -  - rows/s  ETA -  - seg  inProgress"),
                lines(Map.of("a", paused, "b", MigrationStatus.unknown("b", 1).change()
                        .state(MigrationState.IN_PROGRESS).build()), NOW + 61_000));
    }

    @Test
    void aRunWithoutATotalPrintsAHeartbeatWhileItsRowCountMoves() {
        MigrationStatus fromCursor = running("a", 1_000, 0, 1, 0).change().total(null).build();
        assertEquals(1, lines(Map.of("a", fromCursor), NOW).size());
        MigrationStatus more = running("a", 9_000, 0, 1, 0).change().total(null).build();
        assertEquals(0, lines(Map.of("a", more), NOW + PlainProgress.HEARTBEAT_MILLIS - 1).size());
        assertEquals(1, lines(Map.of("a", more), NOW + PlainProgress.HEARTBEAT_MILLIS).size());
    }

    @Test
    void writesNoEscapeCode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PlainProgress p = new PlainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            p.show(names, Map.of("a", running("a", 1, 10, 1, 0),
                    "b", Statuses.in(running("b", 10, 10, 1, 1), MigrationState.FAILED, NOW)), NOW);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, out.lines().count(), out);
        assertFalse(out.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r'), out);
    }

    private List<String> lines(Map<String, MigrationStatus> latest, long now) {
        return plain.lines(names, latest, now);
    }
}
