package dev.keyway.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorReportTest {

    /** 2,000 outcomes in 4 s, the coordinator busy 1,000 ms: 500 outcomes/s, 0.5 ms each, 2,000 per core. */
    private static final CoordinatorReport.Result RESULT = new CoordinatorReport.Result(10, 64, 4.0, 2_000, 1_000,
            600, 300, 200, 50_000_000, 1_000_000, 40, 300, 1.5);

    @Test
    void figuresPerOutcomeAndRowsPerSecondFollowFromTheWindow() {
        assertEquals(500, RESULT.outcomesPerSecond(), 1e-9);
        assertEquals(50_000_000, RESULT.rowsPerSecond(), 1e-6); // slices of 100 batches of 1,000 rows
        assertEquals(0.5, RESULT.perOutcome(RESULT.coordinatorCpuMs()), 1e-9);
        assertEquals(25_000, RESULT.perOutcome(RESULT.statusBytes()), 1e-9);
        assertEquals(0.25, RESULT.coordinatorCores(), 1e-9);
        assertEquals(2_000, RESULT.outcomesPerCoordinatorCore(), 1e-9);
    }

    @Test
    void aWindowWithoutOutcomesHasNoFigurePerOutcome() {
        CoordinatorReport.Result none = new CoordinatorReport.Result(1, 4, 20, 0, 100, 0, 0, 0, 0, 0, -1, -1, 0);
        assertTrue(Double.isNaN(none.perOutcome(none.coordinatorCpuMs())));
    }

    @Test
    void theJsonHoldsEachConfigurationsFigures() {
        String json = CoordinatorReport.json(List.of(RESULT), "2 cores");
        assertTrue(json.contains("\"migrations\": 10, \"segments\": 64"), json);
        assertTrue(json.contains("\"outcomesPerSecond\": 500.0, \"rowsPerSecond\": 50000000"), json);
        assertTrue(json.contains("\"coordinatorCpuMsPerOutcome\": 0.500"), json);
        assertTrue(json.contains("\"statusBytesPerOutcome\": 25000"), json);
    }

    @Test
    void theHeapInUseIsTheSumOfTheGenerationsWithoutMetaspace() {
        String serial = """
                5870:
                 def new generation   total 116160K, used 18593K [0x0000000687400000, 0x000000068f200000)
                  eden space 103296K,  18% used [0x0000000687400000, 0x00000006886286d0, 0x000000068d8e0000)
                 tenured generation   total 258048K, used 1024K [0x0000000704d50000, 0x0000000714950000)
                   the space 258048K,   0% used [0x0000000704d50000, 0x0000000704d50000, 0x0000000714950000)
                 Metaspace       used 8961K, committed 9152K, reserved 1114112K
                  class space    used 1062K, committed 1152K, reserved 1048576K
                """;
        assertEquals(18_593 + 1_024, CoordinatorBenchmark.heapUsedKib(serial));
        String g1 = """
                6027:
                 garbage-first heap   total 397312K, used 18274K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 4 young (16384K), 0 survivors (0K)
                 Metaspace       used 8934K, committed 9088K, reserved 1114112K
                """;
        assertEquals(18_274, CoordinatorBenchmark.heapUsedKib(g1));
    }
}
