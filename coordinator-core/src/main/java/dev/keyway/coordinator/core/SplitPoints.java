package dev.keyway.coordinator.core;

import dev.keyway.migration.Migration;
import java.util.ArrayList;
import java.util.List;

/** Split points as a run's status can carry them. */
public final class SplitPoints {

    /** The most characters of split points a run's status carries (each segment holds its bounds). */
    public static final long MAX_CHARS = 64_000;

    private SplitPoints() {
    }

    /**
     * Split points few and short enough for the status to stay one small Kafka record: at most
     * {@code MAX_SEGMENTS - 1} of them, {@value #MAX_CHARS} characters in all (long text keys give fewer
     * segments), still in order.
     */
    public static List<String> thinned(List<String> points) {
        long chars = points.stream().mapToLong(String::length).sum();
        int keep = (int) Math.min(Migration.MAX_SEGMENTS - 1,
                chars <= MAX_CHARS ? points.size() : points.size() * MAX_CHARS / chars);
        if (keep >= points.size()) {
            return points;
        }
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= keep; k++) {
            out.add(points.get(k * points.size() / (keep + 1)));
        }
        return out;
    }
}
