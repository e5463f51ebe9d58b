package dev.keyway.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rows processed by one run over time, as the console saw its statuses: {@code (updatedAt, processed)} pairs,
 * at most one a second and {@value #MAX_SAMPLES} in all (past that, every other one is dropped: a long run keeps its
 * whole shape at a coarser grain). A new run (another run id) starts over. Not thread-safe: {@link StatusBoard}
 * guards it.
 */
final class RateSamples {

    static final int MAX_SAMPLES = 600;
    static final long MIN_SPACING_MILLIS = 1_000;

    private final List<long[]> samples = new ArrayList<>();
    private String runId;

    void add(String run, long at, long processed) {
        if (!Objects.equals(run, runId) || (!samples.isEmpty() && processed < last()[1])) {
            samples.clear();
            runId = run;
        }
        if (samples.size() >= 2 && at - samples.get(samples.size() - 2)[0] < MIN_SPACING_MILLIS) {
            samples.set(samples.size() - 1, new long[] {at, processed});
        } else if (samples.isEmpty() || at >= last()[0]) {
            samples.add(new long[] {at, processed});
        }
        if (samples.size() > MAX_SAMPLES) {
            List<long[]> kept = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) {
                if (i % 2 == 0 || i == samples.size() - 1) {
                    kept.add(samples.get(i));
                }
            }
            samples.clear();
            samples.addAll(kept);
        }
    }

    /**
     * Rows per second over the {@code windowMillis} before the latest sample: from the latest sample at or before
     * the window's start (or the first one) to the latest. 0 with fewer than two samples.
     */
    double perSecond(long windowMillis) {
        if (samples.size() < 2) {
            return 0;
        }
        long[] end = last();
        long[] start = samples.get(0);
        for (long[] s : samples) {
            if (s[0] <= end[0] - windowMillis) {
                start = s;
            }
        }
        long millis = end[0] - start[0];
        return millis <= 0 ? 0 : (end[1] - start[1]) * 1000.0 / millis;
    }

    /** A copy of the samples, oldest first. */
    List<long[]> snapshot() {
        return samples.stream().map(long[]::clone).toList();
    }

    private long[] last() {
        return samples.get(samples.size() - 1);
    }
}
