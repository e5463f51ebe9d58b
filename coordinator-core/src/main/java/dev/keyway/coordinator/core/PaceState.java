package dev.keyway.coordinator.core;

import java.util.Map;

/**
 * What {@link Pacing} remembers between inputs, as an immutable value.
 *
 * @param nextSlot per rate-limited migration: the earliest time its next task may be handed out
 * @param charged per segment of a rate-limited migration with a task out ({@code migration/segment}): the rows and
 *     batches its slot was charged for, corrected by the rows the task really processed when its outcome comes back
 * @param rowsPerBatch per rate-limited migration: the rows a batch of it walks, as its outcomes showed
 * @param waitedForRate per migration: whether its latest task waited for its rate limit's slot
 * @param scheduled per segment whose next task was scheduled for later ({@code migration/segment}): when it goes out
 * @param ramp per run starting slowly: how many of its segments may go on so far
 * @param duty the share of the time migrations may work, as the health watch last said (100 = full speed)
 */
public record PaceState(Map<String, Long> nextSlot, Map<String, Charge> charged, Map<String, Double> rowsPerBatch,
                        Map<String, Boolean> waitedForRate, Map<String, Long> scheduled, Map<String, Integer> ramp,
                        int duty) {

    public PaceState {
        nextSlot = Map.copyOf(nextSlot);
        charged = Map.copyOf(charged);
        rowsPerBatch = Map.copyOf(rowsPerBatch);
        waitedForRate = Map.copyOf(waitedForRate);
        scheduled = Map.copyOf(scheduled);
        ramp = Map.copyOf(ramp);
        if (duty < 1 || duty > 100) {
            throw new IllegalArgumentException("duty must be between 1 and 100, but was " + duty);
        }
    }

    /** Nothing scheduled, full speed. */
    public static PaceState initial() {
        return new PaceState(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), 100);
    }

    /** What a task's slot was charged for. */
    public record Charge(long rows, int batches) {
    }
}
