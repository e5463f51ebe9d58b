package dev.keyway.console;

import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest status of every migration, with the samples of its run's progress, as the status topic gave them to
 * this console since it started (the topic is compacted: older samples are gone), and the newest
 * {@value #MAX_HISTORY} entries of the history topic. Each change bumps a version; readers take what changed since the
 * version they saw, and may wait for the next change. Thread-safe.
 */
final class StatusBoard {

    /** The window of the "rows/s over the last minute" figure. */
    static final long RATE_WINDOW_MILLIS = 60_000;

    /** One migration as the page shows it. */
    record Entry(MigrationStatus status, double rowsPerSecond, List<long[]> samples, long version) {
    }

    /** The most history entries kept, the newest (the history topic keeps them all: bin/migrate history). */
    static final int MAX_HISTORY = 1_000;

    /** What changed since a version (statuses by name, history entries oldest first), and the version it brings. */
    record Changes(List<Entry> entries, List<HistoryEntry> history, long version) {
    }

    /** A history entry and the version it came with. */
    private record Logged(HistoryEntry entry, long version) {
    }

    private final Map<String, MigrationStatus> latest = new TreeMap<>();
    private final Map<String, RateSamples> samples = new TreeMap<>();
    private final Map<String, Long> versions = new TreeMap<>();
    private final ArrayDeque<Logged> history = new ArrayDeque<>();
    private long version;

    synchronized void update(MigrationStatus s) {
        latest.put(s.name(), s);
        samples.computeIfAbsent(s.name(), n -> new RateSamples()).add(s.run().runId(), s.updatedAt(),
                s.progress().processed());
        versions.put(s.name(), ++version);
        notifyAll();
    }

    synchronized void record(HistoryEntry h) {
        history.addLast(new Logged(h, ++version));
        if (history.size() > MAX_HISTORY) {
            history.removeFirst();
        }
        notifyAll();
    }

    /** The history entries kept, oldest first; those of {@code migration} only, unless it is null. */
    synchronized List<HistoryEntry> history(String migration) {
        return history.stream().map(Logged::entry).filter(h -> migration == null || migration.equals(h.migration()))
                .toList();
    }

    /**
     * Every migration whose status changed after {@code seen} (all of them for 0), by name, and the history entries
     * that came after it (all those kept, for 0).
     */
    synchronized Changes changedSince(long seen) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, MigrationStatus> e : latest.entrySet()) {
            long v = versions.get(e.getKey());
            if (v > seen) {
                RateSamples r = samples.get(e.getKey());
                MigrationStatus s = e.getValue();
                double rate = s.state().running() ? r.perSecond(RATE_WINDOW_MILLIS) : 0;
                out.add(new Entry(s, rate, r.snapshot(), v));
            }
        }
        List<HistoryEntry> entries = history.stream().filter(l -> l.version() > seen).map(Logged::entry).toList();
        return new Changes(out, entries, version);
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
