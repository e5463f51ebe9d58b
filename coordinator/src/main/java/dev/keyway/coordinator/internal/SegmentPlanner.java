package dev.keyway.coordinator.internal;

import dev.keyway.coordinator.core.SplitPoints;
import dev.keyway.message.RunKind;
import dev.keyway.migration.Migration;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.RowImage;
import dev.keyway.store.RunFence;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.util.List;
import java.util.Optional;

/**
 * Splits a migration's key range into segments with split points sampled from the store. Without an
 * explicit count it takes one segment per {@value #ROWS_PER_SEGMENT} rows, at most one per task partition.
 *
 * <p>A run is planned once: when the database already holds a fence with segments for the run (its plan was fenced,
 * but the Kafka transaction that carried it aborted, or a coordinator took over before it committed), that fence is
 * the plan. Planning again would cut the range elsewhere (split points of a large table come from a random sample),
 * and a fence whose ends did not match its segments' positions would refuse the run's tasks, or let two plans'
 * batches cover the same rows.
 */
public final class SegmentPlanner {

    static final long ROWS_PER_SEGMENT = 5_000;

    private final Store store;
    private final int maxSegments;

    public SegmentPlanner(Store store, int maxSegments) {
        this.store = store;
        this.maxSegments = maxSegments;
    }

    /**
     * The keys that cut the range into segments (one fewer than segments), few and short enough for a status
     * ({@link SplitPoints#thinned}), and the number of rows it walks.
     */
    public record Plan(List<String> splitPoints, long rows) {
    }

    /** Segments covering the whole walk; {@code requested} 0 or null = choose from the table size. */
    public Plan plan(Migration m, Integer requested) {
        return plan(m, requested, null);
    }

    /**
     * The plan of run {@code runId}: the one its fence holds if the database has one with segments for that run
     * (the rows counted again), else a new one ({@link #plan(Migration, Integer)}).
     */
    public Plan plan(Migration m, Integer requested, String runId) {
        return plan(m, requested, runId, RunKind.MIGRATE, null);
    }

    /** How many before-images the run {@code runId} of the migration kept (0 when none). */
    private long images(Migration m, String runId) {
        return store.imageRuns(m.name()).stream().filter(r -> r.runId().equals(runId)).mapToLong(ImagesOfRun::rows)
                .sum();
    }

    /**
     * As {@link #plan(Migration, Integer, String)}, for a run of this kind (an undo: over the images of run
     * {@code imagesOf}, split by their ids): a new verify's plan first deletes what
     * the migration's earlier verifies found ({@code keyway_verify}), which may be migrated or changed since; no
     * batch of the new verify runs before its plan, so it deletes none of the new one's findings.
     */
    public Plan plan(Migration m, Integer requested, String runId, RunKind kind, String imagesOf) {
        TableWalk walk = new TableWalk(m.table(), m.customRange());
        store.checkWalk(walk, List.of());
        Optional<RunFence> fenced = runId == null ? Optional.empty()
                : store.readFence(m.name()).filter(f -> f.runId().equals(runId) && !f.segments().isEmpty());
        long rows = kind == RunKind.UNDO ? images(m, imagesOf) : store.countRows(walk);
        if (fenced.isEmpty() && kind == RunKind.VERIFY) {
            store.clearVerifyFindings(m.name());
        }
        if (fenced.isPresent()) {
            List<RunFence.Segment> segs = fenced.get().segments();
            return new Plan(segs.subList(0, segs.size() - 1).stream().map(RunFence.Segment::end).toList(), rows);
        }
        int n = requested != null && requested > 0 ? requested : m.segments();
        if (n == 0) {
            n = (int) Math.max(1, Math.min(maxSegments, (rows + ROWS_PER_SEGMENT - 1) / ROWS_PER_SEGMENT));
        }
        if (kind == RunKind.UNDO) {
            // image ids are hashes, spread evenly: the split needs no sample
            return new Plan(RowImage.splitPoints(Math.min(n, Migration.MAX_SEGMENTS)), rows);
        }
        List<String> points = n > 1 ? store.splitPoints(walk, rows, n) : List.of();
        return new Plan(SplitPoints.thinned(points), rows);
    }
}
