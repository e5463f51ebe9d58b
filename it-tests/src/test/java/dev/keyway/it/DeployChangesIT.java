package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrateOne;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A deploy that removes a migration a series still names: that series fails there, clearly; nothing else does. */
class DeployChangesIT {

    private static final MigrateOne INCREMENT = TestMigrations.PLUS_ONE;
    private static final Migration FIRST = Migration.define("first", "items", INCREMENT).withBatchSize(100);
    private static final Migration GONE = Migration.define("gone", "items", INCREMENT);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(1_000);
    private ServiceHarness harness;

    @Test
    void aSeriesWhoseNextMigrationADeployRemovedFailsThereAndTheNextCommandStillRuns() throws Exception {
        harness = items.services(0, FIRST, GONE);
        assertInstanceOf(Event.CommandAccepted.class,
                harness.send(Command.Run.of("first").withNext(List.of("gone")).withSegments(1)));
        // the deploy: the coordinator restarts without "gone"
        harness.client().awaitStatus(s -> s.name().equals("first") && !s.progress().segments().isEmpty(),
                ServiceHarness.TIMEOUT);
        harness.stopCoordinators();
        long since = System.currentTimeMillis();
        harness.startCoordinator(MigrationCatalog.of(List.of(FIRST)));
        harness.startWorker();

        MigrationStatus gone = harness.client().awaitStatus(s -> s.name().equals("gone") && s.updatedAt() >= since,
                ServiceHarness.TIMEOUT);
        assertEquals(MigrationState.FAILED, gone.state());
        assertTrue(gone.failure().error().contains("does not define"), gone.failure().error());
        assertEquals(MigrationState.SUCCESS, harness.status("first").state());
        assertEquals(0, items.sql().itemsNotAt(1));

        MigrationStatus again = harness.runToEnd(Command.Run.of("first").withStartAt(Command.StartAt.beginning()));
        assertEquals(MigrationState.SUCCESS, again.state());
        assertEquals(0, items.sql().itemsNotAt(2));
    }
}
