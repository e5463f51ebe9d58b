package dev.keyway.coordinator;

import java.time.Duration;
import java.util.Map;

/**
 * The database health limits past which migrations pause themselves, and resume on their own when the
 * database is back under half of them. Read by the coordinator alone, once per {@code period}.
 *
 * @param maxReplicaLagBytes the most WAL bytes a standby may have left to replay ({@code pg_stat_replication});
 *     0 = not watched (the default)
 * @param period how often the signals are read; default {@value #DEFAULT_PERIOD_MS} ms
 */
public record HealthLimits(long maxReplicaLagBytes, Duration period) {

    public static final long DEFAULT_PERIOD_MS = 1_000;

    public HealthLimits {
        if (maxReplicaLagBytes < 0) {
            throw new IllegalArgumentException("maxReplicaLagBytes must be 0 (off) or more, but was " + maxReplicaLagBytes);
        }
        if (period.toMillis() < 100) {
            throw new IllegalArgumentException("the health period must be at least 100 ms, but was " + period);
        }
    }

    /** No signal watched. */
    public static HealthLimits none() {
        return new HealthLimits(0, Duration.ofMillis(DEFAULT_PERIOD_MS));
    }

    /** From {@code MAX_REPLICA_LAG_BYTES} (unset = not watched). */
    public static HealthLimits fromEnv(Map<String, String> env) {
        String v = env.get("MAX_REPLICA_LAG_BYTES");
        try {
            return none().withMaxReplicaLagBytes(v == null || v.isBlank() ? 0 : Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MAX_REPLICA_LAG_BYTES must be a number of bytes, but was '" + v + "'");
        }
    }

    public HealthLimits withMaxReplicaLagBytes(long bytes) {
        return new HealthLimits(bytes, period);
    }

    public boolean watched() {
        return maxReplicaLagBytes > 0;
    }
}
