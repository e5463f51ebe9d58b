package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.Coordinator;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.Store;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One status per database: a migration's status records the database it ran against (an id kept in the database
 * itself, never its URL or credentials), and a coordinator on another database that shares the topics refuses
 * to start, skip or resume it instead of answering "already completed" for a database where it never ran.
 */
class DatabaseIdentityIT {

    private static final int ROWS = 500;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @Test
    void aCoordinatorOnAnotherDatabaseRefusesAMigrationThatRanOnTheFirst() throws Exception {
        ServiceHarness harness = items.services(1, TestMigrations.INCREMENT);
        MigrationStatus done = harness.runToEnd(Command.Run.of("incrementCounter"));
        assertEquals(MigrationState.SUCCESS, done.state());
        String first;
        try (Store a = Store.open(items.options())) {
            first = a.databaseId();
        }
        assertEquals(first, done.run().database(), "the status names the database it ran against");
        assertTrue(first.matches("[0-9a-f-]{36}"), first);

        harness.stopCoordinators();
        Scheduler scheduler = Schedulers.newBoundedElastic(4, 100, "other-db");
        try (TestDatabase otherDb = TestDatabase.postgres(); Store other = Store.open(Sql.options(otherDb))) {
            Disposable coordinator = new Coordinator(harness.kafka(), other, harness.catalog(), Clock.systemUTC(), scheduler)
                    .run().subscribe();
            try {
                Event answer = harness.send(Command.Run.of("incrementCounter"));
                Event.CommandRejected refused = assertInstanceOf(Event.CommandRejected.class, answer, answer.toString());
                assertTrue(refused.reason().contains("belongs to another database (" + first), refused.reason());
                assertTrue(refused.reason().contains("TOPIC_PREFIX"), refused.reason());
                assertTrue(!other.databaseId().equals(first), "each database has its own id");
                assertEquals(0, items.sql().itemsNotAt(1), "the first database is untouched");
            } finally {
                coordinator.dispose();
            }
        } finally {
            scheduler.dispose();
        }
    }
}
