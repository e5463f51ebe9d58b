package dev.keyway.coordinator;

import java.util.Arrays;

/**
 * The time per batch of the outcomes the coordinator counted (a task's time shared by its batches), kept for the
 * {@link HealthSignal#batchLatency} signal: it reads the median of those since its last reading. Thread-safe;
 * keeps at most {@value #CAPACITY} figures between readings (the latest ones).
 */
public final class BatchLatencies {

    static final int CAPACITY = 1_024;

    private final long[] millis = new long[CAPACITY];
    private int count;
    private int next;

    /** A task's outcome: {@code batches} batches in {@code taskMillis}. */
    public synchronized void add(long taskMillis, int batches) {
        millis[next] = Math.max(0, taskMillis) / Math.max(1, batches);
        next = (next + 1) % CAPACITY;
        count = Math.min(CAPACITY, count + 1);
    }

    /** The median since the last call (0 when no batch was counted), and starts over. */
    public synchronized long takeMedian() {
        if (count == 0) {
            return 0;
        }
        long[] recent = Arrays.copyOf(millis, CAPACITY);
        long[] taken = new long[count];
        for (int i = 0; i < count; i++) {
            taken[i] = recent[Math.floorMod(next - 1 - i, CAPACITY)];
        }
        Arrays.sort(taken);
        count = 0;
        return taken[taken.length / 2];
    }
}
