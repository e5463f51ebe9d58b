package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A shell for the core's tests, in memory: it steps the {@link CoordinatorCore} with a command or an event at its
 * clock's time, answers what the core asks of the database as a database that agrees with the statuses would, and
 * gathers the effects of the whole record in one {@link Effects}, as the coordinator gathers them in one Kafka
 * transaction.
 */
final class CoreDriver {

    private final Statuses shared;
    private final CoordinatorCore core;
    private final Clock clock;
    private int takeovers;
    /** What the database holds once a fence is written: by default what was asked. */
    UnaryOperator<RunFence> fenceWriter = f -> f;
    /** The ledger's chain of a claimed slice: by default exactly what was claimed. */
    Function<Effect.ReadLedger, List<LedgerEntry>> ledger = asked -> List.of(new LedgerEntry(asked.claim().key(),
            asked.claim().nextCursor(), asked.claim().processed(), asked.claim().done()));

    CoreDriver(Statuses shared, MigrationCatalog catalog, Clock clock) {
        this(shared, catalog, clock, 0);
    }

    CoreDriver(Statuses shared, MigrationCatalog catalog, Clock clock, int targetBatchMillis) {
        this(shared, catalog, clock, targetBatchMillis, false);
    }

    CoreDriver(Statuses shared, MigrationCatalog catalog, Clock clock, int targetBatchMillis, boolean slowStart) {
        this(shared, catalog, clock, targetBatchMillis, slowStart, 0);
    }

    /** The health watch's events of these tests come from watch "w". */
    CoreDriver(Statuses shared, MigrationCatalog catalog, Clock clock, int targetBatchMillis, boolean slowStart,
               int maxConcurrency) {
        this.shared = shared;
        this.clock = clock;
        this.core = new CoordinatorCore(catalog, new CoreSettings(targetBatchMillis, slowStart, maxConcurrency, "w"));
    }

    Effects onCommand(Command command) {
        return onCommand(command, TableCheck.NONE);
    }

    Effects onCommand(Command command, TableCheck tables) {
        return record(new Input.CommandReceived(command, clock.millis()), tables);
    }

    Effects onEvent(Event event) {
        return record(new Input.EventReceived(event, clock.millis()), TableCheck.NONE);
    }

    void useDatabase(String id) {
        shared.state = core.step(shared.state, new Input.DatabaseKnown(id, clock.millis())).state();
    }

    /** A new coordinator takes over: the statuses as they stand, nothing of the memory of the one before. */
    Effects afterTakeover() {
        CoordinatorState before = shared.state;
        shared.state = CoordinatorState.initial("takeover").withDatabase(before.database());
        return record(new Input.TookOver(List.copyOf(before.all()), "takeover-" + ++takeovers, clock.millis()),
                TableCheck.NONE);
    }

    private Effects record(Input input, TableCheck tables) {
        Effects all = new Effects();
        shared.state = carryOut(core.step(shared.state, input), all, tables);
        return all;
    }

    private CoordinatorState carryOut(Step step, Effects all, TableCheck tables) {
        step.effects().forEach(fx -> take(fx, all));
        CoordinatorState after = step.state();
        for (Effect fx : step.effects()) {
            Input result = null;
            if (fx instanceof Effect.WriteFence w) {
                result = new Input.FenceWritten(w, fenceWriter.apply(w.fence()), clock.millis());
            } else if (fx instanceof Effect.CheckTables c) {
                result = new Input.TablesChecked(c,
                        c.walks().stream().map(walk -> tables.problem(walk.migration(), walk.cursors())).toList(),
                        c.keyColumnsOf().stream().map(tables::keyColumns).toList(), clock.millis());
            } else if (fx instanceof Effect.ReadLedger l) {
                result = new Input.LedgerRead(l, ledger.apply(l), clock.millis());
            } else if (fx instanceof Effect.ReadFence f) {
                result = new Input.FenceRead(f, fenceOf(after, f.delayed().migration()), clock.millis());
            }
            if (result != null) {
                after = carryOut(core.step(after, result), all, tables);
            }
        }
        return after;
    }

    /** The fence as the statuses stand: where the coordinator wrote it. */
    private static Optional<RunFence> fenceOf(CoordinatorState state, String migration) {
        return state.find(migration).map(st -> RunBook.fence(st, st.state() == MigrationState.IN_PROGRESS));
    }

    private static void take(Effect fx, Effects all) {
        if (fx instanceof Effect.PublishStatus s) {
            all.status(s.status());
        } else if (fx instanceof Effect.PublishTask t) {
            all.task(t.task());
        } else if (fx instanceof Effect.Answer a) {
            all.event(a.event());
        } else if (fx instanceof Effect.WriteFence w) {
            all.fence(w.fence());
        } else if (fx instanceof Effect.PlanSegments p) {
            all.plan(p);
        } else if (fx instanceof Effect.PublishLater l) {
            all.later(l.task(), l.dueMillis());
        } else {
            all.note(fx);
        }
    }
}
