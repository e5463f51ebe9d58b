package dev.keyway.coordinator;

import dev.keyway.coordinator.core.Effect;
import dev.keyway.migration.Migration;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.List;
import java.util.Optional;

/**
 * What the coordinator asks the database for its core before it takes a worker's word (or a stranger's), and before
 * it starts a run or answers {@code list}: the ledger's chain of a claimed slice, a delayed batch's fence, whether a
 * run's tables can be walked and what a walk is ordered by. The core decides what to ask and what the answers mean
 * ({@link Effect.ReadLedger}, {@link Effect.ReadFence}, {@link Effect.CheckTables}); this only asks. Blocking: called
 * from the handling of one record.
 */
final class StoreChecks {

    private final Store store;

    StoreChecks(Store store) {
        this.store = store;
    }

    /** The ledger's chain of batches from the claimed batch up to where the claim says the slice ended. */
    List<LedgerEntry> ledger(Effect.ReadLedger asked) {
        return store.followLedger(asked.claim().key(), asked.claim().nextCursor(), asked.maxBatches());
    }

    /** The fence of the delayed batch's migration. */
    Optional<RunFence> fence(Effect.ReadFence asked) {
        return store.readFence(asked.delayed().migration());
    }

    /**
     * For each walk, why its table cannot be walked from its cursors, read afresh; empty when it can, and when the
     * database cannot be reached now (the run's planning and batches wait for it).
     */
    List<Optional<String>> problems(List<Effect.Walk> walks) {
        return walks.stream().map(w -> problem(w.migration(), w.cursors())).toList();
    }

    private Optional<String> problem(Migration m, List<String> cursors) {
        try {
            store.checkWalk(new TableWalk(m.table(), m.customRange()), cursors);
            return Optional.empty();
        } catch (StoreException e) {
            return StoreException.isRetriable(e) ? Optional.empty() : Optional.of(e.getMessage());
        }
    }

    /** For each migration, the columns its walk is ordered by; empty when they cannot be had now. */
    List<Optional<List<String>>> keyColumns(List<Migration> migrations) {
        return migrations.stream().map(this::keyColumns).toList();
    }

    private Optional<List<String>> keyColumns(Migration m) {
        try {
            return Optional.of(store.keyColumns(new TableWalk(m.table(), m.customRange())));
        } catch (StoreException e) {
            return Optional.empty();
        }
    }
}
