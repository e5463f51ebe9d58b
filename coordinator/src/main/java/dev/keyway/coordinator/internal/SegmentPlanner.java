package dev.keyway.coordinator.internal;

import dev.keyway.migration.Migration;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.util.List;

/**
 * Splits a migration's key range into segments with split points sampled from the store. Without an
 * explicit count it takes one segment per {@value #ROWS_PER_SEGMENT} rows, at most one per task partition.
 */
public final class SegmentPlanner {

    static final long ROWS_PER_SEGMENT = 5_000;

    private final Store store;
    private final int maxSegments;

    public SegmentPlanner(Store store, int maxSegments) {
        this.store = store;
        this.maxSegments = maxSegments;
    }

    /** The keys that cut the range into segments (one fewer than segments), and the number of rows it walks. */
    public record Plan(List<String> splitPoints, long rows) {
    }

    /** Segments covering the whole walk; {@code requested} 0 or null = choose from the table size. */
    public Plan plan(Migration m, Integer requested) {
        TableWalk walk = new TableWalk(m.table(), m.customRange());
        store.checkWalk(walk, List.of());
        long rows = store.countRows(walk);
        int n = requested != null && requested > 0 ? requested : m.segments();
        if (n == 0) {
            n = (int) Math.max(1, Math.min(maxSegments, (rows + ROWS_PER_SEGMENT - 1) / ROWS_PER_SEGMENT));
        }
        List<String> points = n > 1 ? store.splitPoints(walk, rows, n) : List.of();
        return new Plan(points, rows);
    }
}
