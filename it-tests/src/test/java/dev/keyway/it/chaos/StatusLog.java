package dev.keyway.it.chaos;

import dev.keyway.client.MigrationsClient;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.Disposable;

/**
 * Every status the coordinators write during a chaos run, as it is written (the status topic followed from its
 * first record, read committed): the history the oracle judges runs by, and when each migration last moved.
 * Thread-safe.
 */
final class StatusLog implements AutoCloseable {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final Map<String, List<MigrationStatus>> history = new HashMap<>();
    private final Map<String, Long> movedAt = new HashMap<>();
    private long records;
    private final Disposable subscription;

    private StatusLog(MigrationsClient client) {
        this.subscription = client.statusChanges().subscribe(this::add);
    }

    static StatusLog follow(MigrationsClient client) {
        return new StatusLog(client);
    }

    private void add(MigrationStatus s) {
        lock.lock();
        try {
            List<MigrationStatus> seen = history.computeIfAbsent(s.name(), n -> new ArrayList<>());
            if (seen.isEmpty() || moved(seen.get(seen.size() - 1), s)) {
                movedAt.put(s.name(), System.currentTimeMillis());
            }
            seen.add(s);
            records++;
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A run moved: another state or run, more rows, or a segment elsewhere (a rewrite of the same is no move). */
    private static boolean moved(MigrationStatus before, MigrationStatus after) {
        return before.state() != after.state() || before.progress().processed() != after.progress().processed()
                || !Objects.equals(before.run().runId(), after.run().runId())
                || !before.progress().segments().stream().map(SegmentStatus::position).toList()
                        .equals(after.progress().segments().stream().map(SegmentStatus::position).toList());
    }

    /** The statuses of {@code name} in the order they were written. */
    List<MigrationStatus> history(String name) {
        lock.lock();
        try {
            return List.copyOf(history.getOrDefault(name, List.of()));
        } finally {
            lock.unlock();
        }
    }

    /** When {@code name}'s status last moved (epoch millis), or 0 when it has none. */
    long movedAt(String name) {
        lock.lock();
        try {
            return movedAt.getOrDefault(name, 0L);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until another status is written, or {@code most} passes. */
    void awaitNext(Duration most) throws InterruptedException {
        lock.lock();
        try {
            long before = records;
            long nanos = most.toNanos();
            while (records == before && nanos > 0) {
                nanos = written.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code name} has a status written at or after {@code since} (epoch millis), for at most {@code most}. */
    boolean awaitWrittenSince(String name, long since, Duration most) throws InterruptedException {
        long deadline = System.nanoTime() + most.toNanos();
        lock.lock();
        try {
            while (history.getOrDefault(name, List.of()).stream().noneMatch(s -> s.updatedAt() >= since)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                written.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        subscription.dispose();
    }
}
