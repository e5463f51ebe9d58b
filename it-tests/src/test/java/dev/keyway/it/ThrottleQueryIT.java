package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.HealthLimits;
import dev.keyway.coordinator.HealthSignal;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Health signals on real Kafka and PostgreSQL or MariaDB: the operator's own throttle query (like gh-ost's) past its
 * limit slows running migrations down, past twice it pauses them, back under half they resume on their own; Keyway's
 * own batch latency past its limit slows them down. Every row is applied once.
 */
class ThrottleQueryIT {

    private static final int ROWS = 3_000;
    /** counter := counter + 1, 5 ms a row: a run lasts long enough to be throttled in the middle. */
    private static final Migration SLOW = Migration.define("throttled", "items", (ctx, doc) -> {
        Thread.sleep(5);
        return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
    }).withBatchSize(100).withSegments(2);

    @RegisterExtension
    final ItemsDatabase items = ItemsDatabase.opened(ROWS);

    /** This test's database, of its kind: the first call of every test. */
    private void open(TestDatabase.Kind kind) throws Exception {
        items.open(kind);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aMigrationSlowsDownPastTheThrottleQuerysLimitPausesPastTwiceItAndResumesWhenItIsBackUnderHalf(TestDatabase.Kind database) throws Exception {
        open(database);
        items.sql().exec("CREATE TABLE \"throttle\" (\"v\" INT NOT NULL)", "INSERT INTO \"throttle\" VALUES (0)");
        ServiceHarness harness = items.services(0, SLOW);
        harness.stopCoordinators();
        harness.startCoordinator(harness.catalog(), HealthLimits.none()
                .with(HealthSignal.query("SELECT \"v\" FROM \"throttle\"", 5)).withPeriod(Duration.ofMillis(200)));
        harness.startWorker();
        harness.startWorker();

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("throttled")));
        harness.client().awaitStatus(s -> s.name().equals("throttled") && s.progress().processed() >= 200,
                ServiceHarness.TIMEOUT);
        items.sql().exec("UPDATE \"throttle\" SET \"v\" = 7");
        MigrationStatus slowed = harness.client().awaitStatus(s -> s.name().equals("throttled")
                && s.pace().throttledBy() != null && s.pace().throttledBy().startsWith("throttled to 25%"),
                        ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.IN_PROGRESS, slowed.state(), "slowed down, not paused");
        assertEquals("throttled to 25%: throttle query 7 > 5", slowed.pace().throttledBy());

        items.sql().exec("UPDATE \"throttle\" SET \"v\" = 20");
        MigrationStatus paused = harness.client().awaitStatus(s -> s.name().equals("throttled")
                && s.state() == MigrationState.PAUSED, ServiceHarness.TIMEOUT);
        assertEquals("paused: throttle query 20 > 10 (twice its limit)", paused.pace().throttledBy());
        assertTrue(paused.progress().processed() < ROWS);

        items.sql().exec("UPDATE \"throttle\" SET \"v\" = 2");
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("throttled") && s.updatedAt() >= since
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, items.sql().itemsNotAt(1));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void batchesSlowerThanTheBatchLatencyLimitSlowTheMigrationDownAndNoRowIsAppliedTwice(TestDatabase.Kind database) throws Exception {
        open(database);
        // 3 ms a row, fixed batches of 100: about 300 ms a batch, past a limit of 200 ms, under the hard 400 ms
        Migration slow = Migration.define("latent", "items", (ctx, doc) -> {
            Thread.sleep(3);
            return TestMigrations.PLUS_ONE.migrateOne(ctx, doc);
        }).withBatchSize(100).withSegments(2);
        ServiceHarness harness = items.services(0, slow);
        harness.stopCoordinators();
        HealthLimits limits = HealthLimits.none().withPeriod(Duration.ofMillis(500));
        harness.startCoordinator(harness.catalog(), limits.with(HealthSignal.batchLatency(limits.latencies(), 200)));
        harness.startWorker();

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, harness.send(Command.Run.of("latent")));
        MigrationStatus slowed = harness.client().awaitStatus(s -> s.name().equals("latent") && s.pace().throttledBy() != null,
                ServiceHarness.TIMEOUT);
        assertTrue(slowed.pace().throttledBy().startsWith("throttled to 50%: batch latency (ms) "),
                slowed.pace().throttledBy());
        assertEquals(MigrationState.IN_PROGRESS, slowed.state());
        // a slow migrateOne is not the database's distress, so batches sized by time would be the cure; here the
        // batches are fixed and the migration would slow down to 1 %: cancel it and check what it applied
        assertInstanceOf(Event.CommandAccepted.class, harness.send(new Command.Cancel("latent")));
        MigrationStatus canceled = harness.client().awaitStatus(s -> s.name().equals("latent") && s.updatedAt() >= since
                && s.state() == MigrationState.CANCELED, ServiceHarness.TIMEOUT);
        assertEquals(null, canceled.pace().throttledBy(), "a run that ended is not throttled");
        // the batches in flight at the cancel commit, and their outcomes may come after this status
        assertTrue(items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 1") >= canceled.progress().processed());
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" > 1"));
    }
}
