package dev.keyway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthLimitsTest {

    @Test
    void watchesNothingUnlessALimitIsSet() {
        assertFalse(HealthLimits.fromEnv(Map.of()).watched());
    }

    @Test
    void readsTheReplicaLagLimitAndTheThrottleQueryFromTheEnvironment() {
        HealthLimits limits = HealthLimits.fromEnv(Map.of("MAX_REPLICA_LAG_BYTES", "1048576",
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
}
