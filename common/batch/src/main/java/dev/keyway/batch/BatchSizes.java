package dev.keyway.batch;

import dev.keyway.message.Task.ProcessBatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The size of each batch of a task whose lease has a time target ({@link dev.keyway.message.Lease}): after a
 * batch that ran long the next one shrinks in proportion at once; after one that ran well under the target it
 * grows by an eighth; always between 1 row and the task's batch size. The size a segment reached is kept for its
 * next task (a segment's tasks share a partition, so they usually come back to this worker; another worker starts
 * again from {@link #START}). A batch hitting a lock or statement timeout is retried at a quarter of its size.
 * A task without a target always has batches of its batch size. Thread-safe.
 */
final class BatchSizes {

    /** The first batch of a segment this worker has not sized yet. */
    static final int START = 100;
    /** Segments remembered; past it the memory starts over (a size is a hint, not a state). */
    private static final int MAX_REMEMBERED = 10_000;

    private final Map<String, Integer> sizes = new ConcurrentHashMap<>();

    /** The first batch's size. */
    int first(ProcessBatch t) {
        if (!t.lease().adaptive()) {
            return t.batchSize();
        }
        return Math.min(t.batchSize(), sizes.getOrDefault(key(t), START));
    }

    /** The next batch's size after one of {@code size} rows that took {@code millis} and read a full page or not. */
    int after(ProcessBatch t, int size, long millis, boolean fullPage) {
        if (!t.lease().adaptive()) {
            return t.batchSize();
        }
        long target = t.lease().targetBatchMillis();
        int next = size;
        if (millis > target) {
            next = (int) Math.max(1, size * target / Math.max(1, millis));
        } else if (fullPage && millis < target * 4 / 5) {
            next = size + Math.max(1, size / 8);
        }
        return remember(t, Math.min(t.batchSize(), next));
    }

    /** The size to retry a batch of {@code size} rows with after a lock or statement timeout. */
    int smaller(ProcessBatch t, int size) {
        return remember(t, Math.max(1, size / 4));
    }

    /** Forgets a segment that is complete. */
    void done(ProcessBatch t) {
        sizes.remove(key(t));
    }

    private int remember(ProcessBatch t, int size) {
        if (sizes.size() > MAX_REMEMBERED) {
            sizes.clear();
        }
        sizes.put(key(t), size);
        return size;
    }

    private static String key(ProcessBatch t) {
        return t.key().runId() + "/" + t.key().segment() + "/" + t.migration();
    }
}
