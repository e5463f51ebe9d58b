package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/**
 * A rate limit holds for the whole migration across its workers, can be lifted while it runs, and every row
 * is still applied once. (A lower bound on the time the limited part takes is the check that the limit is
 * enforced at all; how fast Keyway goes is for the benchmarks.)
 */
class RateLimitIT {

    private static final int ROWS = 16_000;
    private static final Migration COUNT = Migration.define("paced", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(100).withSegments(2);
    /** No batch size: the coordinator sizes its batches by time (200 ms, up to 1,000 rows), as by default. */
    private static final Migration TIMED = Migration.define("timed", "items", TestMigrations.PLUS_ONE).withSegments(2);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @Test
    void aRunKeepsUnderItsRowsPerSecondUntilTheLimitIsLifted() throws Exception {
        ServiceHarness harness = items.services(2, COUNT);
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class,
                harness.send(Command.Run.of("paced").withLimits(new Limits(500))));
        MigrationStatus limited = harness.client().awaitStatus(s -> s.name().equals("paced") && s.progress().processed() >= 600,
                ServiceHarness.TIMEOUT);
        // 600 rows at 500 rows/s in batches of 100: the first at once, then one every 200 ms
        assertTrue(limited.updatedAt() - since >= 900, "600 rows in " + (limited.updatedAt() - since) + " ms");
        assertEquals(500, limited.pace().limits().maxRowsPerSecond());

        assertEquals("configured", assertInstanceOf(Event.CommandAccepted.class,
                harness.send(new Command.Configure("paced", null, 0))).action());
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("paced") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertNull(done.pace().limits());
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, items.sql().itemsNotAt(1));
    }

    @Test
    void aRateLimitHoldsWithBatchesSizedByTimeAndAfterConfigure() throws Exception {
        // issue 16: each batch of ~112 rows was charged as 1,000, so 150 rows/s walked 17 and 2,000 walked 288
        ServiceHarness harness = items.services(2, TIMED);
        long since = System.currentTimeMillis();
        // what the run did, for the message of a failed check: ms since the start, rows processed
        List<String> trace = new CopyOnWriteArrayList<>();
        Disposable tracing = harness.client().statusChanges().filter(s -> s.name().equals("timed"))
                .subscribe(s -> trace.add((s.updatedAt() - since) + "ms:" + s.progress().processed()));
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("timed").withLimits(new Limits(600))));
        MigrationStatus first = awaitProcessed(harness, since, 600);
        assertEquals(200, first.pace().limits().targetBatchMillis(), "sized by time");
        double rate = rate(first, awaitProcessed(harness, since, first.progress().processed() + 4_800));
        assertTrue(Math.abs(rate - 600) <= 60, "600 rows/s asked, " + rate + " walked: " + trace);

        harness.send(new Command.Configure("timed", null, 1_200));
        MigrationStatus from = awaitProcessed(harness, since, first.progress().processed() + 4_800 + 1_200);
        MigrationStatus to = awaitProcessed(harness, since, from.progress().processed() + 6_000);
        double after = rate(from, to);
        assertTrue(Math.abs(after - 1_200) <= 120, "1,200 rows/s asked after configure, " + after + " walked: "
                + trace);
        tracing.dispose();
        assertTrue(to.pace().limitedBy() != null && to.pace().limitedBy().startsWith("rate"),
                "limited by " + to.pace().limitedBy());

        harness.send(new Command.Configure("timed", null, 0));
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("timed") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, items.sql().itemsNotAt(1));
    }

    private static MigrationStatus awaitProcessed(ServiceHarness harness, long since, long rows) throws Exception {
        return harness.client().awaitStatus(s -> s.name().equals("timed") && s.updatedAt() >= since
                && s.progress().processed() >= rows, ServiceHarness.TIMEOUT);
    }

    /** Rows per second between two statuses of a run. */
    private static double rate(MigrationStatus from, MigrationStatus to) {
        return (to.progress().processed() - from.progress().processed()) * 1000.0 / Math.max(1,
                to.updatedAt() - from.updatedAt());
    }
}
