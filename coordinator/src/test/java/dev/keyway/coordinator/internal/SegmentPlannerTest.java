package dev.keyway.coordinator.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.core.SplitPoints;
import dev.keyway.migration.Migration;
import dev.keyway.store.FakeStore;
import dev.keyway.store.RunFence;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentPlannerTest {

    private final Migration m = Migration.define("m", "items", (ctx, d) -> null);

    /** Split points from a "random sample": each planning cuts the range elsewhere, as PostgreSQL's does. */
    private static final class SampledStore extends FakeStore {
        private int plans;

        SampledStore() {
            super(1_000_000);
        }

        @Override
        public List<String> splitPoints(TableWalk walk, long rows, int segments) {
            plans++;
            List<String> points = new ArrayList<>();
            for (int k = 1; k < segments; k++) {
                points.add("[" + (k * rows / segments + plans) + "]");
            }
            return points;
        }
    }

    private static RunFence fenceOf(String runId, List<String> points) {
        List<RunFence.Segment> segs = new ArrayList<>();
        for (int i = 0; i <= points.size(); i++) {
            segs.add(new RunFence.Segment(i, i == 0 ? null : points.get(i - 1), i < points.size() ? points.get(i) : null,
                    false));
        }
        return new RunFence("m", runId, 100, true, segs);
    }

    @Test
    void aRunWhosePlanIsFencedIsPlannedAgainAsTheFenceHoldsIt() {
        // issue 15, 1: the transaction that carried plan 1 aborted after its fence was written; a new sample would
        // cut elsewhere, and the fence (plan 1's ends) would refuse plan 2's tasks
        SampledStore store = new SampledStore();
        SegmentPlanner planner = new SegmentPlanner(store, 8);
        SegmentPlanner.Plan first = planner.plan(m, 4, "run-1");
        store.writeFence(fenceOf("run-1", first.splitPoints()));

        SegmentPlanner.Plan again = planner.plan(m, null, "run-1");
        assertEquals(first.splitPoints(), again.splitPoints(), "the fenced plan is the plan");
        assertEquals(first.rows(), again.rows());

        SegmentPlanner.Plan other = planner.plan(m, 4, "run-2");
        assertNotEquals(first.splitPoints(), other.splitPoints(), "another run's fence is not its plan");
        assertEquals(3, other.splitPoints().size());
    }

    @Test
    void splitPointsAreThinnedBeforeTheyLeaveThePlannerSoTheRunPlannedEventStaysSmall() {
        // issue 15, 9: long keys made runPlanned exceed the event limit before the state machine thinned them
        FakeStore store = new FakeStore(1_000_000) {
            @Override
            public List<String> splitPoints(TableWalk walk, long rows, int segments) {
                List<String> points = new ArrayList<>();
                for (int k = 1; k < segments; k++) {
                    points.add("[\"" + String.format("%04d", k) + "x".repeat(3_000) + "\"]");
                }
                return points;
            }
        };
        SegmentPlanner.Plan plan = new SegmentPlanner(store, 256).plan(m, 200, "run-1");
        long chars = plan.splitPoints().stream().mapToLong(String::length).sum();
        assertTrue(chars <= SplitPoints.MAX_CHARS, chars + " characters of split points");
        assertTrue(plan.splitPoints().size() > 1 && plan.splitPoints().size() < 199, plan.splitPoints().size() + " points");
    }
}
