package dev.keyway.it.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.Command;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final Duration LENGTH = Duration.ofMinutes(2);

    @Test
    void theSameSeedGivesTheSameSchedule() {
        Schedule first = Schedule.generate(42, LENGTH);
        Schedule again = Schedule.generate(42, LENGTH);
        assertEquals(first, again);
        assertEquals(first.toString(), again.toString());
    }

    @Test
    void anotherSeedGivesAnotherSchedule() {
        assertNotEquals(Schedule.generate(42, LENGTH).steps(), Schedule.generate(43, LENGTH).steps());
    }

    @Test
    void stepsComeInTimeOrderWithinTheLength() {
        for (long seed = 0; seed < 50; seed++) {
            List<Step> steps = Schedule.generate(seed, LENGTH).steps();
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(steps.get(i - 1).atMillis() < steps.get(i).atMillis(), "seed " + seed + ", step " + i);
            }
            assertTrue(steps.get(steps.size() - 1).atMillis() < LENGTH.toMillis(), "seed " + seed);
        }
    }

    @Test
    void everyMigrationStartsFromTheBeginningFirst() {
        List<Step> steps = Schedule.generate(7, LENGTH).steps();
        for (int i = 0; i < ChaosMigrations.ALL.size(); i++) {
            Command.Run run = (Command.Run) ((Step.Operate) steps.get(i)).command();
            assertEquals(ChaosMigrations.ALL.get(i).name(), run.fn());
            assertEquals(Command.StartAt.beginning(), run.startAt());
        }
    }

    @Test
    void aLongerScheduleHasFaultsOfEveryKindAndEveryOperatorCommand() {
        List<String> kinds = Schedule.generate(1, Duration.ofMinutes(10)).steps().stream()
                .map(s -> s instanceof Step.Fault f ? f.getClass().getSimpleName() + " " + f.role()
                        : ((Step.Operate) s).command().getClass().getSimpleName())
                .distinct().toList();
        for (String kind : List.of("Kill WORKER", "Kill COORDINATOR", "Stall WORKER", "Stall COORDINATOR", "Run",
                "Pause", "Resume", "Cancel", "CancelAll", "Configure")) {
            assertTrue(kinds.contains(kind), kind + " in " + kinds);
        }
    }

    @Test
    void theScheduleReadsAsALineAStepWithItsTime() {
        String text = Schedule.generate(3, Duration.ofSeconds(30)).toString();
        assertTrue(text.startsWith("schedule of seed 3 (30.0 s, "), text);
        assertTrue(text.contains("t+  0.0 s  run chaosItems --from-start"), text);
    }
}
