package dev.keyway.coordinator.core;

import java.util.Set;

/**
 * How a coordinator's core decides what the statuses leave open. Immutable.
 *
 * @param targetBatchMillis what a batch of a run that gives no batch size (and no target of its own) aims at: its
 *     workers size its batches, up to {@value RunStarts#ADAPTIVE_CAP_FACTOR} times the migration's batch size; 0 =
 *     batches of the migration's size
 * @param slowStart whether a new run starts with one segment and adds one with each task outcome until all go on
 *     (TCP's slow start): a coordinator that watches the database's health gives its signals time to speak before the
 *     whole run hits the database
 * @param maxConcurrency the most segments of a run that gives no concurrency limit of its own with a task out at once
 *     (its {@code limits} say so, and {@code configure} changes it); 0 = all
 * @param healthWatchId the id of this coordinator's health watch, whose {@code healthChanged} events alone count;
 *     null when it watches no health
 * @param notifyTargets the names of the notification targets this coordinator has ({@code NOTIFY_URL_<NAME>}, in
 *     lower case): a {@code run --notify} naming another is refused
 */
public record CoreSettings(int targetBatchMillis, boolean slowStart, int maxConcurrency, String healthWatchId,
                           Set<String> notifyTargets) {

    public CoreSettings {
        notifyTargets = notifyTargets == null ? Set.of() : Set.copyOf(notifyTargets);
        if (targetBatchMillis < 0) {
            throw new IllegalArgumentException("targetBatchMillis must be 0 or more, but was " + targetBatchMillis);
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("maxConcurrency must be 0 or more, but was " + maxConcurrency);
        }
    }

    /** No notification target by name. */
    public CoreSettings(int targetBatchMillis, boolean slowStart, int maxConcurrency, String healthWatchId) {
        this(targetBatchMillis, slowStart, maxConcurrency, healthWatchId, Set.of());
    }

    /** Batches of the migration's size, every segment at once, no health watch, no notification target by name. */
    public static CoreSettings defaults() {
        return new CoreSettings(0, false, 0, null);
    }

    public CoreSettings withNotifyTargets(Set<String> names) {
        return new CoreSettings(targetBatchMillis, slowStart, maxConcurrency, healthWatchId, names);
    }

    public CoreSettings withTargetBatchMillis(int millis) {
        return new CoreSettings(millis, slowStart, maxConcurrency, healthWatchId, notifyTargets);
    }

    public CoreSettings withSlowStart(boolean slow) {
        return new CoreSettings(targetBatchMillis, slow, maxConcurrency, healthWatchId, notifyTargets);
    }

    public CoreSettings withMaxConcurrency(int max) {
        return new CoreSettings(targetBatchMillis, slowStart, max, healthWatchId, notifyTargets);
    }

    public CoreSettings withHealthWatchId(String id) {
        return new CoreSettings(targetBatchMillis, slowStart, maxConcurrency, id, notifyTargets);
    }
}
