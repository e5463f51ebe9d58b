package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import java.util.List;
import java.util.Optional;

/**
 * What the core is told, one at a time: a record consumed, a takeover, or the result of an {@link Effect} the shell
 * carried out. Every input carries the time ({@code now}, epoch ms): the only time the core knows.
 */
public sealed interface Input {

    long now();

    /** A command from the commands topic. */
    record CommandReceived(Command command, long now) implements Input {
    }

    /** An event from the events topic: a task's outcome, a plan, the health watch's word. */
    record EventReceived(Event event, long now) implements Input {
    }

    /**
     * This coordinator took the input partitions over: the statuses as the status topic holds them (in order, the
     * latest per migration wins), and a fresh {@code seed} from which it draws the ids of runs and plans.
     */
    record TookOver(List<MigrationStatus> changelog, String seed, long now) implements Input {

        public TookOver {
            changelog = List.copyOf(changelog);
        }
    }

    /** The identity of the database this coordinator works on. */
    record DatabaseKnown(String database, long now) implements Input {
    }

    /** A fence written ({@link Effect.WriteFence}): {@code written} is what the database holds now. */
    record FenceWritten(Effect.WriteFence asked, RunFence written, long now) implements Input {
    }

    /**
     * The tables checked ({@link Effect.CheckTables}): for each of its walks, in order, why it cannot be walked (empty
     * when it can, or when the database cannot be reached now); for each of its {@code keyColumnsOf}, in order, the
     * key columns (empty when unknown).
     */
    record TablesChecked(Effect.CheckTables asked, List<Optional<String>> problems,
                         List<Optional<List<String>>> keyColumns, long now) implements Input {

        public TablesChecked {
            problems = List.copyOf(problems);
            keyColumns = List.copyOf(keyColumns);
        }
    }

    /** The ledger's chain from a claimed batch ({@link Effect.ReadLedger}), in order; empty when it has none. */
    record LedgerRead(Effect.ReadLedger asked, List<LedgerEntry> chain, long now) implements Input {

        public LedgerRead {
            chain = List.copyOf(chain);
        }
    }

    /** The fence of a delayed batch's migration ({@link Effect.ReadFence}), if the database has one. */
    record FenceRead(Effect.ReadFence asked, Optional<RunFence> fence, long now) implements Input {
    }
}
