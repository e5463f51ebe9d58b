package dev.keyway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.coordinator.HealthWatch.Reading;
import dev.keyway.message.Event;
import dev.keyway.store.StoreException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watch's rule: multiplicative decrease past a limit, a pause past the hard limit, additive increase under half. */
class HealthWatchTest {

    private final HealthWatch watch = new HealthWatch(null, HealthLimits.none().with(HealthSignal.query("SELECT 1", 100)),
            null, null, null);

    private Event.HealthChanged read(long value) {
        return watch.next(List.of(Reading.of(value)));
    }

    private static final String NO_GRANT = "no permission to read pg_stat_replication's LSNs (grant pg_monitor)";

    /** A lock-wait and a replica-lag signal (limits 100 and 1000), as a watch that does {@code whenUnknown}. */
    private static HealthWatch twoSignals(HealthLimits.WhenUnknown whenUnknown) {
        return new HealthWatch(null, HealthLimits.none().with(HealthSignal.lockWait(100)).with(HealthSignal.replicaLag(1000))
                .withWhenUnknown(whenUnknown), null, null, null);
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

    @Test
    void aSignalThatCannotBeReadPausesByDefaultSaysWhichAndWhyAndTheOthersStillCount() {
        HealthWatch w = twoSignals(HealthLimits.none().whenUnknown());
        assertEquals(HealthLimits.WhenUnknown.PAUSE, HealthLimits.none().whenUnknown(), "the safe default");
        assertTrue(w.next(List.of(Reading.of(0), Reading.of(0))).healthy());

        Event.HealthChanged unknown = w.next(List.of(Reading.of(10), Reading.unknown(NO_GRANT)));
        assertFalse(unknown.healthy(), "unknown is not 0: it pauses");
        assertEquals("paused: replica lag (bytes) unknown: " + NO_GRANT, unknown.reason());
        assertEquals(List.of("replica lag (bytes) unknown: " + NO_GRANT), unknown.unknown());
        assertFalse(w.next(List.of(Reading.of(10), Reading.unknown(NO_GRANT))).healthy(), "told every period");

        Event.HealthChanged both = w.next(List.of(Reading.of(250), Reading.unknown(NO_GRANT)));
        assertEquals("paused: application lock wait on Keyway (ms) 250 > 200 (twice its limit); replica lag (bytes)"
                + " unknown: " + NO_GRANT, both.reason(), "the signal that reads still counts");

        Event.HealthChanged back = w.next(List.of(Reading.of(10), Reading.of(20)));
        assertTrue(back.healthy(), "every signal reads again, under half of its limit: resumes");
        assertEquals(HealthWatch.MIN_DUTY, back.dutyPercent());
        assertEquals(List.of(), back.unknown());
    }

    @Test
    void holdingKeepsTheShareAndThePauseWhileASignalCannotBeReadAndSaysSo() {
        HealthWatch w = twoSignals(HealthLimits.WhenUnknown.HOLD);
        assertEquals(100, w.next(List.of(Reading.of(0), Reading.of(0))).dutyPercent());

        Event.HealthChanged held = w.next(List.of(Reading.of(0), Reading.unknown(NO_GRANT)));
        assertTrue(held.healthy());
        assertEquals(100, held.dutyPercent(), "holds the last state");
        assertEquals("held at 100%; replica lag (bytes) unknown: " + NO_GRANT, held.reason());
        assertNull(w.next(List.of(Reading.of(0), Reading.unknown(NO_GRANT))), "nothing changed");

        Event.HealthChanged slower = w.next(List.of(Reading.of(150), Reading.unknown(NO_GRANT)));
        assertEquals(50, slower.dutyPercent(), "a signal that reads still slows down");
        assertEquals("throttled to 50%: application lock wait on Keyway (ms) 150 > 100; replica lag (bytes) unknown: "
                + NO_GRANT, slower.reason());
        assertNull(w.next(List.of(Reading.of(0), Reading.unknown(NO_GRANT))), "no faster while one is unknown");

        assertFalse(w.next(List.of(Reading.of(300), Reading.of(0))).healthy());
        Event.HealthChanged stillPaused = w.next(List.of(Reading.of(0), Reading.unknown("timeout")));
        assertFalse(stillPaused.healthy(), "a paused migration stays paused while a signal is unknown");
        assertEquals("paused, held: replica lag (bytes) unknown: timeout", stillPaused.reason());
        assertNull(w.next(List.of(Reading.of(0), Reading.unknown("timeout"))), "told once");
        assertTrue(w.next(List.of(Reading.of(0), Reading.of(0))).healthy(), "reads again: resumes");
    }

    @Test
    void oneSignalThatFailsIsUnknownAndTheOthersAreStillRead() {
        HealthWatch w = new HealthWatch(null, HealthLimits.none()
                .with(HealthSignal.of("failing", 10, store -> {
                    throw new StoreException("cannot read: " + "x".repeat(1000), null);
                }))
                .with(HealthSignal.of("fine", 10, store -> 7)), null, null, null);
        List<Reading> readings = w.read();
        assertFalse(readings.get(0).known());
        assertTrue(readings.get(0).unknown().startsWith("cannot read: xxx"));
        assertTrue(readings.get(0).unknown().length() < HealthWatch.MAX_WHY + 20, "bounded");
        assertEquals(Reading.of(7), readings.get(1));
    }
}
