package dev.keyway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.store.StoreOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSlicesTest {

    @Test
    void aWorkerRunsTheMachinesCoresInSlicesUnlessToldAndRefusesWhatIsNoCount() {
        assertEquals(Runtime.getRuntime().availableProcessors(), Worker.slicesFromEnv(Map.of()));
        assertEquals(Worker.defaultSlices(), Worker.slicesFromEnv(Map.of("WORKER_SLICES", " ")));
        assertEquals(8, Worker.slicesFromEnv(Map.of("WORKER_SLICES", " 8 ")));
        assertEquals(64, Worker.slicesFromEnv(Map.of("WORKER_SLICES", "64")));
        for (String bad : new String[] {"0", "-1", "65", "two", "2.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Worker.slicesFromEnv(Map.of("WORKER_SLICES", bad)), bad);
            assertTrue(e.getMessage().startsWith("WORKER_SLICES must be a whole number from 1 to 64")
                    && e.getMessage().endsWith("not '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void theStoresPoolHasAConnectionForEachSliceAndOneForTheReadinessChecks() {
        StoreOptions options = StoreOptions.defaults();
        assertEquals(StoreOptions.DEFAULT_POOL_SIZE, WorkerMain.poolFor(options, 2).poolSize(), "4 is enough for 2");
        assertEquals(9, WorkerMain.poolFor(options, 8).poolSize());
        assertEquals(64, WorkerMain.poolFor(options, 64).poolSize(), "the pool's own ceiling");
        assertEquals(12, WorkerMain.poolFor(options.withPoolSize(12), 2).poolSize(), "a larger pool stays");
    }
}
