package dev.keyway.batch;

import dev.keyway.message.TaskLocation;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.FakeStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** What the batch tests over the in-memory store share: a table of 25 rows, a scheduler for the calls, a worker. */
abstract class FakeStoreBatches {

    static final TaskLocation FROM = new TaskLocation("tasks", 0, 1);

    final FakeStore store = new FakeStore(25);
    final Scheduler calls = Schedulers.newBoundedElastic(20, 100, "test-calls");

    @AfterEach
    void stop() {
        calls.dispose();
    }

    /** A worker "w1" of this migration whose batches' calls have {@code deadline}. */
    BatchProcessor processor(Migration m, Duration deadline) {
        return new BatchProcessor(store, MigrationCatalog.of(List.of(m)), new MigrateOneCalls(calls, deadline),
                BatchObserver.none(), "w1");
    }
}
