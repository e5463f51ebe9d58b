package dev.keyway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.Event;
import org.junit.jupiter.api.Test;

/** The watch's rule: multiplicative decrease past a limit, a pause past the hard limit, additive increase under half. */
class HealthWatchTest {

    private final HealthWatch watch = new HealthWatch(null, HealthLimits.none().with(HealthSignal.query("SELECT 1", 100)),
            null, null, null);

    private Event.HealthChanged read(long value) {
        return watch.next(new long[] {value});
    }

    @Test
    void slowsDownByHalvesPausesPastTheHardLimitAndSpeedsUpStepByStep() {
        Event.HealthChanged first = read(10);
        assertTrue(first.healthy());
        assertEquals(100, first.dutyPercent(), "the first reading is told");
        assertNull(read(10), "nothing changed");

        Event.HealthChanged slower = read(150);
        assertTrue(slower.healthy(), "slowed down, not paused");
        assertEquals(50, slower.dutyPercent());
        assertEquals("throttled to 50%: throttle query 150 > 100", slower.reason());
        assertEquals(25, read(150).dutyPercent());
        assertEquals(12, read(120).dutyPercent());
        assertNull(read(80), "between half the limit and the limit: holds");

        Event.HealthChanged pause = read(250);
        assertFalse(pause.healthy());
        assertEquals("paused: throttle query 250 > 200 (twice its limit)", pause.reason());
        assertFalse(read(210).healthy(), "told every period while past the hard limit");
        assertNull(read(90), "under the hard limit, not under half the limit: stays paused");

        Event.HealthChanged resumed = read(40);
        assertTrue(resumed.healthy());
        assertEquals(HealthWatch.MIN_DUTY, resumed.dutyPercent(), "resumes slowly");
        assertEquals(HealthWatch.MIN_DUTY + HealthWatch.STEP, read(40).dutyPercent());
        int duty = HealthWatch.MIN_DUTY + HealthWatch.STEP;
        Event.HealthChanged e;
        while ((e = read(0)) != null && e.dutyPercent() < 100) {
            assertTrue(e.dutyPercent() > duty);
            duty = e.dutyPercent();
        }
        assertEquals(100, e.dutyPercent());
        assertTrue(e.reason().endsWith("under half of each limit"), e.reason());
    }
}
