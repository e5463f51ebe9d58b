package dev.keyway.coordinator;

import dev.keyway.coordinator.core.TableCheck;
import dev.keyway.message.Event;
import dev.keyway.message.Lease;
import dev.keyway.migration.Migration;
import dev.keyway.store.RunFence;
import dev.keyway.store.SliceProgress;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the coordinator asks the database before it takes a worker's word (or a stranger's): how far the ledger shows
 * a slice went, whether the fence still holds a delayed batch's segment open, what the batches a closed fence waited
 * for applied, and whether a run's tables can be walked. Blocking: called from the handling of one record.
 */
final class StoreChecks implements TableCheck {

    private final Store store;

    StoreChecks(Store store) {
        this.store = store;
    }

    /**
     * The outcome as the ledger recorded it: the batches chained from the task's cursor up to where the outcome says
     * the slice ended (no further than a lease's batches); empty when the ledger has no such batch. A claim past what
     * the ledger holds counts only as far as the ledger goes.
     */
    Optional<Recorded> recorded(Event.BatchCompleted c) {
        return SliceProgress.of(store.followLedger(c.batch(), c.nextCursor(), Lease.MAX_BATCHES))
                .map(slice -> new Recorded(new Event.BatchCompleted(c.migration(), c.runId(), c.segment(), c.cursor(),
                        slice.nextCursor(), (int) slice.processed(), slice.done(), c.replayed(), false, List.of(),
                        c.millis(), c.worker()), slice.batches()));
    }

    /** An outcome as the ledger recorded it, and the number of batches it covers. */
    record Recorded(Event.BatchCompleted outcome, int batches) {
    }

    /**
     * Whether the database's fence holds the delayed batch's segment open, for its run, at its cursor: only then did
     * the batch not apply and may it run again. A delay is a worker's word, and creates work; the fence confirms it.
     */
    boolean fenceWaitsAt(Event.BatchDelayed d) {
        return store.readFence(d.migration()).filter(f -> f.runId().equals(d.runId()) && f.open()).stream()
                .flatMap(f -> f.segments().stream())
                .anyMatch(s -> s.index() == d.segment() && !s.done() && Objects.equals(s.position(), d.cursor()));
    }

    /**
     * What the batches a closed fence waited for applied, as the ledger shows it: one outcome per segment whose
     * position the written fence moved past the asked one. Their workers' outcomes come later (and are then stale, so
     * dropped), or never: a worker whose partitions a rebalance took while its batch ran cannot publish its outcome,
     * and a closed run hands out no task that would replay it.
     */
    List<Event.BatchCompleted> waitedFor(RunFence asked, RunFence written) {
        List<Event.BatchCompleted> applied = new ArrayList<>();
        for (int i = 0; i < asked.segments().size(); i++) {
            RunFence.Segment from = asked.segments().get(i);
            RunFence.Segment to = written.segments().get(i);
            if (!Objects.equals(from.position(), to.position())) {
                recorded(new Event.BatchCompleted(asked.migration(), asked.runId(), from.index(), from.position(),
                        to.position(), 0, to.done(), false, false, List.of(), 0, "the fence"))
                        .ifPresent(r -> applied.add(r.outcome()));
            }
        }
        return applied;
    }

    /** The table read afresh. */
    @Override
    public Optional<String> problem(Migration m, List<String> cursors) {
        try {
            store.checkWalk(new TableWalk(m.table(), m.customRange()), cursors);
            return Optional.empty();
        } catch (StoreException e) {
            return StoreException.isRetriable(e) ? Optional.empty() : Optional.of(e.getMessage());
        }
    }

    @Override
    public Optional<List<String>> keyColumns(Migration m) {
        try {
            return Optional.of(store.keyColumns(new TableWalk(m.table(), m.customRange())));
        } catch (StoreException e) {
            return Optional.empty();
        }
    }
}
