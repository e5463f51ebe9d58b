package dev.keyway.message;

/**
 * How much of its segment one task may walk: up to {@code batches} batches, one after the other, each in its
 * own database transaction with its own ledger entry, and one outcome for all of them. A worker also ends the
 * slice after about a second (so the status keeps moving and its Kafka transaction stays short), when the
 * fence stops allowing the next batch (pause, cancel, configure), or at the first batch that cannot complete.
 *
 * @param batches the most batches of this task, 1 to {@value #MAX_BATCHES}
 * @param targetBatchMillis 0 for batches of the task's batch size; else the worker sizes each batch so that it
 *     takes about this long (between 1 row and the task's batch size): it shrinks a batch that ran long at once
 *     and grows one that ran short slowly, and retries a batch smaller when it hits a lock or statement timeout
 */
public record Lease(int batches, int targetBatchMillis) {

    public static final int MAX_BATCHES = 1_000;
    public static final int MAX_TARGET_MILLIS = 60_000;

    public Lease {
        if (batches < 1 || batches > MAX_BATCHES) {
            throw new IllegalArgumentException("a lease must have 1 to " + MAX_BATCHES + " batches, but had " + batches);
        }
        if (targetBatchMillis < 0 || targetBatchMillis > MAX_TARGET_MILLIS) {
            throw new IllegalArgumentException("a lease's targetBatchMillis must be between 0 and " + MAX_TARGET_MILLIS
                    + ", but was " + targetBatchMillis);
        }
    }

    /** One batch of the task's size: what a task without a lease (written before leases) asks for. */
    public static Lease single() {
        return new Lease(1, 0);
    }

    public boolean adaptive() {
        return targetBatchMillis > 0;
    }
}
