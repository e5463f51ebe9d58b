package dev.keyway.console;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest status of every migration, with the samples of its run's progress, as the status topic gave them to
 * this console since it started (the topic is compacted: older samples are gone). Each change bumps a version;
 * readers take what changed since the version they saw, and may wait for the next change. Thread-safe.
 */
final class StatusBoard {

    /** The window of the "rows/s over the last minute" figure. */
    static final long RATE_WINDOW_MILLIS = 60_000;

    /** One migration as the page shows it. */
    record Entry(MigrationStatus status, double rowsPerSecond, List<long[]> samples, long version) {
    }

    /** What changed since a version, and the version it brings the reader to. */
    record Changes(List<Entry> entries, long version) {
    }

    private final Map<String, MigrationStatus> latest = new TreeMap<>();
    private final Map<String, RateSamples> samples = new TreeMap<>();
    private final Map<String, Long> versions = new TreeMap<>();
    private long version;

    synchronized void update(MigrationStatus s) {
        latest.put(s.name(), s);
        samples.computeIfAbsent(s.name(), n -> new RateSamples()).add(s.run().runId(), s.updatedAt(),
                s.progress().processed());
        versions.put(s.name(), ++version);
        notifyAll();
    }

    /** Every migration whose status changed after {@code seen} (all of them for 0), by name. */
    synchronized Changes changedSince(long seen) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, MigrationStatus> e : latest.entrySet()) {
            long v = versions.get(e.getKey());
            if (v > seen) {
                RateSamples r = samples.get(e.getKey());
                MigrationStatus s = e.getValue();
                double rate = s.state() == MigrationState.IN_PROGRESS ? r.perSecond(RATE_WINDOW_MILLIS) : 0;
                out.add(new Entry(s, rate, r.snapshot(), v));
            }
        }
        return new Changes(out, version);
    }

    /** The latest statuses, by name. */
    synchronized List<MigrationStatus> statuses() {
        return List.copyOf(latest.values());
    }

    /**
     * Waits until the version passes {@code seen} or {@code maxMillis} pass; returns the version then. A wait, not a
     * sleep: {@link #update} wakes it.
     */
    synchronized long awaitChange(long seen, long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        while (version <= seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return version;
    }
}
