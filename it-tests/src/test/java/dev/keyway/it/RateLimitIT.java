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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rate limit holds for the whole migration across its workers, can be lifted while it runs, and every row
 * is still applied once. (A lower bound on the time the limited part takes is the check that the limit is
 * enforced at all; how fast Keyway goes is for the benchmarks.)
 */
class RateLimitIT {

    private static final int ROWS = 2_000;
    private static final Migration COUNT = Migration.define("paced", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(100).withSegments(2);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @Test
    void aRunKeepsUnderItsRowsPerSecondUntilTheLimitIsLifted() throws Exception {
        ServiceHarness harness = items.services(2, COUNT);
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class,
                harness.send(Command.Run.of("paced").withLimits(new Limits(500))));
        MigrationStatus limited = harness.client().awaitStatus(s -> s.name().equals("paced") && s.processed() >= 600,
                ServiceHarness.TIMEOUT);
        // 600 rows at 500 rows/s in batches of 100: the first at once, then one every 200 ms
        assertTrue(limited.updatedAt() - since >= 900, "600 rows in " + (limited.updatedAt() - since) + " ms");
        assertEquals(500, limited.limits().maxRowsPerSecond());

        assertEquals("configured", assertInstanceOf(Event.CommandAccepted.class,
                harness.send(new Command.Configure("paced", null, 0))).action());
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("paced") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertNull(done.limits());
        assertEquals(ROWS, done.processed());
        assertEquals(0, items.sql().itemsNotAt(1));
    }
}
