package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.kafka.Inbound;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task walks a slice of its segment: many batches, each its own database transaction with its own ledger
 * row, and one Kafka round trip for the slice. Checked on real Kafka and PostgreSQL with a
 * {@code counter := counter + 1} migration: every row ends at 1, the ledger holds every batch, and the
 * outcomes on the events topic are far fewer than the batches.
 */
class SlicesIT {

    private static final int ROWS = 20_000;
    private static final Migration SLICED = Migration.define("sliced", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(100).withSegments(2);
    /** 2 ms per row: a batch of 100 rows takes 200 ms. */
    private static final Migration SLOW = Migration.define("sized", "items", (ctx, doc) -> {
        Thread.sleep(2);
        return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
    }).withBatchSize(1_000).withSegments(2);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @Test
    void kafkaRoundTripsDoNotScaleWithBatchesAndTheLedgerStillHoldsEveryBatch() throws Exception {
        ServiceHarness harness = items.services(2, SLICED);
        MigrationStatus done = runToSuccess(harness, Command.Run.of("sliced").withBatchSize(100));
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, items.sql().itemsNotAt(1));

        List<Integer> batches = ledgerBatchSizes(done.run().runId());
        assertEquals(ROWS, batches.stream().mapToInt(Integer::intValue).sum());
        assertTrue(batches.size() >= ROWS / 100, batches.size() + " batches in the ledger");
        long outcomes = completedOutcomes(harness, done.run().runId());
        assertTrue(outcomes * 5 <= batches.size(), outcomes + " outcomes on the events topic for " + batches.size()
                + " batches: a task should walk many batches");
    }

    @Test
    void aBatchDurationTargetSizesTheBatchesAndEveryRowIsStillAppliedOnce() throws Exception {
        int rows = 3_000;
        items.sql().exec("DELETE FROM items WHERE id > " + rows);
        ServiceHarness harness = items.services(2, SLOW);
        MigrationStatus done = runToSuccess(harness, Command.Run.of("sized").withLimits(new Limits(null, 60)));
        assertEquals(rows, done.progress().processed());
        assertEquals(60, done.pace().limits().targetBatchMillis());
        assertEquals(0, items.sql().itemsNotAt(1));

        List<Integer> sizes = ledgerBatchSizes(done.run().runId());
        assertEquals(rows, sizes.stream().mapToInt(Integer::intValue).sum());
        // the first batch of a segment has 100 rows (200 ms), the next ones about 30 (60 ms), never the 1,000 allowed
        assertTrue(sizes.stream().allMatch(s -> s <= 100), sizes.toString());
        long small = sizes.stream().filter(s -> s <= 45).count();
        assertTrue(small * 10 >= sizes.size() * 8, "most batches sized for 60 ms at 2 ms a row: " + sizes);
    }

    @Test
    void underMaxConcurrencyOneSegmentRunsAtATimeAndEveryRowIsAppliedOnce() throws Exception {
        ServiceHarness harness = items.services(2, SLICED);
        MigrationStatus done = runToSuccess(harness, Command.Run.of("sliced").withBatchSize(500).withSegments(4)
                .withLimits(new Limits(null, null, 1)));
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, items.sql().itemsNotAt(1));
        List<long[]> spans = new ArrayList<>(); // per segment: first and last batch's start
        try (Connection c = items.sql().connect();
             PreparedStatement ps = c.prepareStatement("SELECT segment, MIN(applied_at), MAX(applied_at) FROM keyway_ledger"
                     + " WHERE run_id = ? GROUP BY segment ORDER BY segment")) {
            ps.setString(1, done.run().runId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    spans.add(new long[] {rs.getTimestamp(2).getTime(), rs.getTimestamp(3).getTime()});
                }
            }
        }
        assertEquals(4, spans.size());
        for (int i = 1; i < spans.size(); i++) {
            assertTrue(spans.get(i)[0] >= spans.get(i - 1)[1], "segment " + i + " started before segment " + (i - 1)
                    + " ended");
        }
    }

    private static MigrationStatus runToSuccess(ServiceHarness harness, Command.Run run) {
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(run));
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals(run.fn()) && s.updatedAt() >= since
                && s.state() != MigrationState.IN_PROGRESS, ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
        return done;
    }

    /** The rows of each batch of the run in the ledger (empty last pages left out). */
    private List<Integer> ledgerBatchSizes(String runId) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        try (Connection c = items.sql().connect();
             PreparedStatement ps = c.prepareStatement("SELECT processed FROM keyway_ledger WHERE run_id = ? AND processed > 0")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sizes.add(rs.getInt(1));
                }
            }
        }
        return sizes;
    }

    private static long completedOutcomes(ServiceHarness harness, String runId) {
        JsonCodec codec = new JsonCodec();
        long n = 0;
        for (Inbound r : harness.kafka().readToEnd(harness.kafka().settings().topics().events())) {
            try {
                if (codec.decodeEvent(r.value()) instanceof Event.BatchCompleted c && c.key().runId().equals(runId)) {
                    n++;
                }
            } catch (MalformedMessageException ignored) {
                // not an event of this run
            }
        }
        return n;
    }
}
