package dev.keyway.batch;

import dev.keyway.message.Event;
import dev.keyway.message.Task.ProcessBatch;
import dev.keyway.message.TaskLocation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The outcomes of tasks that took longer than a worker's Kafka transaction allows, for a while, so that a redelivery
 * of the same task is answered at once instead of running into the same wall again.
 *
 * <p>Why: the tasks of one poll and their outcomes commit in one Kafka transaction, which the broker aborts once it is
 * older than its timeout (10 s). A task that ends only after that (a statement that runs into a statement timeout
 * longer than the transaction's, say) cannot publish its outcome: the transaction is gone, the session starts again,
 * the task comes back, and its slice (whose first batches the ledger answers at once) runs into the same statement as
 * late again, for ever. Remembered here, the second delivery answers within its transaction: with the progress the
 * slice made (the ledger holds it, and the coordinator checks it there), after which the next task fails on the slow
 * batch alone, late once and answered the second time; the run fails with the reason instead of looping.
 *
 * <p>Entries are kept for {@link #KEEP_NANOS} (a redelivery comes within seconds) and at most {@link #MAX_KEPT}; a task
 * is the same when its record (topic, partition, offset), run and cursor are: an operator who replays it later by an
 * offset reset, after fixing the cause, runs it afresh. Thread-safe.
 */
final class LateOutcomes {

    /** A task that took longer than this may have outlived its Kafka transaction (10 s), so its outcome may be lost. */
    static final long LATE_NANOS = 8_000_000_000L;
    /** How long a late failure is kept for a redelivery. */
    static final long KEEP_NANOS = 60_000_000_000L;
    static final int MAX_KEPT = 1_000;

    private record Key(TaskLocation where, String runId, String cursor) {
    }

    private record Kept(Event outcome, long at) {
    }

    private final LongSupplier nanos;
    private final Map<Key, Kept> kept = new LinkedHashMap<>();

    LateOutcomes(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** The outcome this task came to last time, when it came to it late, not long ago. */
    synchronized Optional<Event> recall(ProcessBatch task, TaskLocation where) {
        long now = nanos.getAsLong();
        kept.values().removeIf(k -> now - k.at() > KEEP_NANOS);
        Key key = new Key(where, task.key().runId(), task.key().cursor());
        return Optional.ofNullable(kept.get(key)).map(Kept::outcome);
    }

    /** Keeps the task's outcome if it came after {@link #LATE_NANOS}; returns the outcome. */
    synchronized Event remember(ProcessBatch task, TaskLocation where, Event outcome, long startNanos) {
        long now = nanos.getAsLong();
        if (where != null && now - startNanos > LATE_NANOS) {
            if (kept.size() >= MAX_KEPT) {
                kept.remove(kept.keySet().iterator().next());
            }
            kept.put(new Key(where, task.key().runId(), task.key().cursor()), new Kept(outcome, now));
        }
        return outcome;
    }
}
