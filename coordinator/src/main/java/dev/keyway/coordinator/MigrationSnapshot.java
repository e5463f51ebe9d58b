package dev.keyway.coordinator;

import dev.keyway.message.MigrationStatus;

/**
 * One migration as the coordinator knows it at a moment, for metrics: its status and how many of its segments go on
 * at once (see {@link Coordinator#snapshot()}).
 *
 * @param segmentsInFlight the segments that may have a task out now; 0 unless it is in progress
 */
public record MigrationSnapshot(MigrationStatus status, int segmentsInFlight) {
}
