package dev.keyway.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.BatchKey;
import dev.keyway.store.RunFence;
import dev.keyway.store.SliceProgress;
import dev.keyway.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator benchmark's ledger, as the coordinator reads it: every claim a simulated worker makes is what the
 * store's chain from the task's cursor holds, slice after slice, and after the finishing statement the segment ends.
 */
class SliceChainTest {

    private static final String RUN = "run-1";

    @Test
    void everyClaimIsWhatTheLedgerChainHolds() throws Exception {
        try (TestDatabase pg = TestDatabase.postgres(); Store store = Store.open(Sql.options(pg))) {
            store.ensureBookkeeping();
            // segment 0 starts at the range's start (no position), the others at a split point; 255 is the last there is
            store.writeFence(new RunFence("coordBench000", RUN, SliceChain.BATCH, true, List.of(
                    new RunFence.Segment(0, null, "[500]", false),
                    new RunFence.Segment(1, "[500]", null, false))));
            store.writeFence(new RunFence("coordBench001", RUN, SliceChain.BATCH, true, List.of(
                    new RunFence.Segment(255, "[77]", null, false))));
            store.writeFence(new RunFence("other", RUN, SliceChain.BATCH, true, List.of(
                    new RunFence.Segment(0, null, null, false))));
            assertEquals(3 * SliceChain.ENTRIES, run(pg, SliceChain.LEDGER_SQL));

            walk(store, "coordBench000", 0, null);
            walk(store, "coordBench000", 1, "[500]");
            walk(store, "coordBench001", 255, "[77]");
            assertEquals(3, run(pg, SliceChain.FINISH_SQL));
            for (int segment : new int[] {0, 1}) {
                assertEquals(new SliceProgress(SliceChain.cursor(segment, SliceChain.BATCHES + 1), SliceChain.BATCH,
                        true, 1), read(store, "coordBench000", segment, SliceChain.cycleStart(segment), true));
            }
        }
    }

    /** The lead-in from the segment's start, then the cycle three times: each claim as the ledger counts it. */
    private static void walk(Store store, String migration, int segment, String start) {
        String cursor = start;
        for (int slice = 0; slice < 4; slice++) {
            SliceProgress read = read(store, migration, segment, cursor, false);
            assertEquals(new SliceProgress(SliceChain.cycleStart(segment), SliceChain.ROWS_PER_SLICE, false,
                    SliceChain.BATCHES), read, migration + " segment " + segment + " slice " + slice);
            cursor = read.nextCursor();
        }
    }

    /** What the coordinator makes of the simulated worker's claim for the task at {@code cursor}. */
    private static SliceProgress read(Store store, String migration, int segment, String cursor, boolean finishing) {
        SliceChain.Claim claim = SliceChain.claim(segment, cursor, finishing);
        SliceProgress read = SliceProgress.of(store.followLedger(new BatchKey(migration, RUN, segment, cursor),
                claim.nextCursor(), 1_000)).orElseThrow();
        assertEquals(new SliceChain.Claim(read.nextCursor(), read.processed(), read.done()), claim);
        return read;
    }

    private static int run(TestDatabase pg, String statement) throws Exception {
        try (Connection c = new Sql(Sql.options(pg)).connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, "coordBench%");
            return ps.executeUpdate();
        }
    }
}
