package dev.keyway.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyway.it.bench.ImpactBenchmark.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImpactReportTest {

    @Test
    void eachPhasesFiguresAreTheMediansOfItsOwnFiguresOverTheRuns() {
        List<List<Phase>> runs = List.of(
                List.of(phase("baseline", 1.0, 2.0, 0), phase("adaptive", 2.0, 30.0, 50_000)),
                List.of(phase("baseline", 0.5, 9.0, 0), phase("adaptive", 3.0, 10.0, 70_000)),
                List.of(phase("baseline", 0.7, 3.0, 0), phase("adaptive", 1.0, 20.0, 60_000)));

        List<Phase> medians = ImpactReport.medians(runs);

        assertEquals(List.of("baseline", "adaptive"), medians.stream().map(Phase::name).toList());
        assertEquals(0.7, medians.get(0).appP50Ms());
        assertEquals(3.0, medians.get(0).appP99Ms());
        assertEquals(2.0, medians.get(1).appP50Ms());
        assertEquals(20.0, medians.get(1).appP99Ms());
        assertEquals(60_000, medians.get(1).backfillRowsPerSec());
    }

    @Test
    void theMedianOfAnEvenNumberOfRunsIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, ImpactReport.median(List.of(4.0, 1.0, 3.0, 2.0), Double::doubleValue));
    }

    private static Phase phase(String name, double p50, double p99, double rowsPerSec) {
        return new Phase(name, p50, p99, 200, rowsPerSec, 0, 1000, 5);
    }
}
