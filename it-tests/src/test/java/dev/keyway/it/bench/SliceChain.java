package dev.keyway.it.bench;

/**
 * The ledger the coordinator benchmark writes for every segment before its timed part, and what a simulated worker
 * claims against it. The coordinator counts a worker's {@code batchCompleted} only as far as the ledger's chain from the
 * task's cursor goes ({@code Store.followLedger}, one recursive query): so that it does that real work for every outcome
 * while the simulated workers do no database work, each segment's chain is written up front, {@value #ENTRIES} entries
 * of {@value #BATCH} rows each:
 * <ul>
 *   <li>a lead-in of {@value #BATCHES} batches from the segment's start (its fence's position) to the cursor
 *   {@link #cycleStart};</li>
 *   <li>a cycle of {@value #BATCHES} batches from {@link #cycleStart} back to itself: every later slice walks it once,
 *   {@value #BATCHES} batches of {@value #BATCH} rows, and the segment's cursor comes back to where it was.</li>
 * </ul>
 * Cursors are JSON arrays of one number, as a table keyed by a {@code BIGINT} has them: {@link #cursor}. To end the runs,
 * the cycle's first entry is marked done ({@link #FINISH_SQL}); a slice from it then ends the segment after one batch.
 * {@link #LEDGER_SQL} writes what {@link #claim} expects, for the fences of every migration named {@code prefix%}.
 */
final class SliceChain {

    /** Rows per batch. */
    static final int BATCH = 1_000;
    /** Batches per slice: what the coordinator's lease hands a task at full speed (Pacing.BATCHES_PER_TASK). */
    static final int BATCHES = 100;
    /** Rows per slice outcome. */
    static final long ROWS_PER_SLICE = (long) BATCH * BATCHES;
    /** Ledger entries per segment: the lead-in and the cycle. */
    static final int ENTRIES = 2 * BATCHES;
    /** How far apart two segments' synthetic cursors are. */
    static final long SEGMENT_SPAN = 1_000_000_000L;

    /** Writes every segment's chain from its fence's position; {@code ?} is the migrations' name prefix. */
    static final String LEDGER_SQL = "INSERT INTO keyway_ledger (migration, run_id, segment, start_cursor, next_cursor,"
            + " processed, done, quarantined)"
            + " SELECT f.migration, f.run_id, f.segment,"
            + " CASE WHEN j = 0 THEN COALESCE(f.position, '') ELSE '[' || (CAST(f.segment AS BIGINT) * " + SEGMENT_SPAN + " + j * " + BATCH
            + ") || ']' END,"
            + " '[' || (CAST(f.segment AS BIGINT) * " + SEGMENT_SPAN + " + (CASE WHEN j = " + (ENTRIES - 1) + " THEN " + BATCHES
            + " ELSE j + 1 END) * " + BATCH + ") || ']',"
            + " " + BATCH + ", FALSE, 0"
            + " FROM keyway_fence f CROSS JOIN generate_series(0, " + (ENTRIES - 1) + ") AS g(j)"
            + " WHERE f.migration LIKE ? AND f.segment >= 0";

    /** Marks each segment's {@link #cycleStart} entry done: the next slice from there ends its segment. */
    static final String FINISH_SQL = "UPDATE keyway_ledger SET done = TRUE WHERE migration LIKE ?"
            + " AND start_cursor = '[' || (CAST(segment AS BIGINT) * " + SEGMENT_SPAN + " + " + ROWS_PER_SLICE + ") || ']'";

    private SliceChain() {
    }

    /** The cursor after batch {@code j} of the segment's chain (j from 1; j = 0 is the segment's own start). */
    static String cursor(int segment, int j) {
        return "[" + (segment * SEGMENT_SPAN + (long) j * BATCH) + "]";
    }

    /** Where the lead-in ends and the cycle starts and ends. */
    static String cycleStart(int segment) {
        return cursor(segment, BATCHES);
    }

    /**
     * What a worker reports for a slice: its next cursor, the rows it processed and whether its segment is done.
     *
     * @param rows the rows the ledger holds for the slice: the coordinator counts these
     */
    record Claim(String nextCursor, long rows, boolean done) {
    }

    /**
     * The outcome a worker that walked the ledger's chain from {@code cursor} would report: a full slice of the lead-in
     * or of the cycle, or once the cycle's start is marked done ({@code finishing}), the segment's last batch.
     */
    static Claim claim(int segment, String cursor, boolean finishing) {
        if (finishing && cycleStart(segment).equals(cursor)) {
            return new Claim(cursor(segment, BATCHES + 1), BATCH, true);
        }
        return new Claim(cycleStart(segment), ROWS_PER_SLICE, false);
    }
}
