package dev.keyway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthLimitsTest {

    @Test
    void isGentleByDefaultTheApplicationsLatencyTargetAndTheStandbysLagWatched() {
        // issue 16: with no knob set, a backfill raised the p99 of an application on the same table 24x
        HealthLimits gentle = HealthLimits.fromEnv(Map.of());
        assertEquals(List.of("application lock wait on Keyway (ms)", "batch latency (ms)", "replica lag (bytes)"),
                gentle.signals().stream().map(HealthSignal::name).toList());
        assertEquals(HealthLimits.DEFAULT_APPLICATION_LATENCY_TARGET_MS / 2, gentle.targetBatchMillis());
        assertEquals(64L << 20, gentle.signals().get(2).limit());
        assertEquals(HealthLimits.DEFAULT_MAX_CONCURRENCY, gentle.maxConcurrency(), "2 segments of a run at once");
        assertEquals(0, HealthLimits.fromEnv(Map.of("KEYWAY_FULL_SPEED", "true")).maxConcurrency(), "all at full speed");
        assertEquals(4, HealthLimits.fromEnv(Map.of("MAX_CONCURRENCY", "4")).maxConcurrency());
        assertFalse(HealthLimits.fromEnv(Map.of("APPLICATION_LATENCY_TARGET_MS", "0", "MAX_REPLICA_LAG_BYTES", "0"))
                .watched(), "each turned off by 0");
        assertEquals("KEYWAY_FULL_SPEED must be true or false, but was 'fast'", assertThrows(
                IllegalArgumentException.class, () -> HealthLimits.fromEnv(Map.of("KEYWAY_FULL_SPEED", "fast"))).getMessage());
    }

    @Test
    void atFullSpeedWatchesNothingUnlessALimitIsSet() {
        Map<String, String> full = Map.of("KEYWAY_FULL_SPEED", "true");
        assertFalse(HealthLimits.fromEnv(full).watched());
        assertEquals(HealthLimits.DEFAULT_TARGET_BATCH_MILLIS, HealthLimits.fromEnv(full).targetBatchMillis());
        assertEquals(0, HealthLimits.fromEnv(Map.of("KEYWAY_FULL_SPEED", "true", "TARGET_BATCH_MILLIS", "0"))
                .targetBatchMillis(), "fixed sizes");
        assertEquals(1, HealthLimits.fromEnv(Map.of("KEYWAY_FULL_SPEED", "true", "MAX_REPLICA_LAG_BYTES", "5")).signals()
                .size(), "a limit set is watched");
    }

    @Test
    void theApplicationsLatencyTargetIsOneKnobForTheBatchTargetTheLockWaitAndTheBatchLatency() {
        HealthLimits limits = HealthLimits.fromEnv(Map.of("APPLICATION_LATENCY_TARGET_MS", "40"));
        assertEquals(20, limits.targetBatchMillis());
        assertEquals("application lock wait on Keyway (ms)", limits.signals().get(0).name());
        assertEquals(20, limits.signals().get(0).limit());
        assertEquals(40, limits.signals().get(0).hardLimit());
        assertEquals("batch latency (ms)", limits.signals().get(1).name());
        assertEquals(40, limits.signals().get(1).limit());
        limits.latencies().add(300, 3);
        limits.latencies().add(90, 1);
        limits.latencies().add(10, 1);
        assertEquals(90, limits.signals().get(1).read(null), "the median time per batch since the last reading");
        assertEquals(0, limits.signals().get(1).read(null), "none since");

        HealthLimits own = HealthLimits.fromEnv(Map.of("APPLICATION_LATENCY_TARGET_MS", "40", "MAX_LOCK_WAIT_MS", "5",
                "TARGET_BATCH_MILLIS", "15"));
        assertEquals(5, own.signals().get(0).limit());
        assertEquals(15, own.targetBatchMillis());
    }

    @Test
    void readsTheReplicaLagLimitAndTheThrottleQueryFromTheEnvironment() {
        HealthLimits limits = HealthLimits.fromEnv(Map.of("KEYWAY_FULL_SPEED", "true", "MAX_REPLICA_LAG_BYTES", "1048576",
                "THROTTLE_QUERY", "SELECT load FROM health", "THROTTLE_QUERY_MAX", "80"));
        assertTrue(limits.watched());
        assertEquals(2, limits.signals().size());
        assertEquals(1_048_576, limits.signals().get(0).limit());
        assertEquals("throttle query", limits.signals().get(1).name());
        assertEquals(80, limits.signals().get(1).limit());
    }

    @Test
    void refusesAThrottleQueryWithoutItsLimitAndNumbersThatAreNot() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HealthLimits.fromEnv(
                Map.of("THROTTLE_QUERY", "SELECT 1"))).getMessage().contains("THROTTLE_QUERY_MAX"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HealthLimits.fromEnv(
                Map.of("MAX_REPLICA_LAG_BYTES", "lots"))).getMessage().contains("MAX_REPLICA_LAG_BYTES"));
    }

    @Test
    void aSignalThatCannotBeReadPausesUnlessHealthUnknownSaysHold() {
        assertEquals(HealthLimits.WhenUnknown.PAUSE, HealthLimits.fromEnv(Map.of()).whenUnknown());
        assertEquals(HealthLimits.WhenUnknown.HOLD, HealthLimits.fromEnv(Map.of("HEALTH_UNKNOWN", "hold")).whenUnknown());
        assertEquals(HealthLimits.WhenUnknown.PAUSE, HealthLimits.fromEnv(Map.of("HEALTH_UNKNOWN", " Pause ")).whenUnknown());
        assertEquals("HEALTH_UNKNOWN must be pause or hold, but was 'ignore'", assertThrows(IllegalArgumentException.class,
                () -> HealthLimits.fromEnv(Map.of("HEALTH_UNKNOWN", "ignore"))).getMessage());
    }
}
