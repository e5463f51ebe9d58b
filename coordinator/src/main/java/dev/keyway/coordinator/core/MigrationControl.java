package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.LastCommand;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrationCatalog;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The coordinator's rules, as a state machine over the {@link StatusView}: commands start, resume,
 * skip or cancel migrations; batch outcomes advance segment cursors and chain the next batch. An
 * outcome counts only if it matches the run id, segment and cursor the status expects, so stale and
 * replayed outcomes are dropped. Not thread-safe: one record at a time.
 *
 * <p>This class takes each record in and sends it to the rules for it: {@link RunStarts} (run, dry run, plans,
 * series), {@link OperatorCommands} (pause, resume, configure, cancel, health), {@link MigrationListing} (list, which
 * changes nothing) and {@link BatchOutcomes} (what a task's outcome does); they share the statuses and the ways to write them through one {@link RunBook}. It refuses
 * a command for another database's migration and records, in each status a command changed, who asked for it.
 */
public final class MigrationControl {

    /** A run whose batches are sized by a time target may have batches up to this many times the migration's size. */
    static final int ADAPTIVE_CAP_FACTOR = RunStarts.ADAPTIVE_CAP_FACTOR;

    private final RunBook book;
    private final RunStarts starts;
    private final OperatorCommands operator;
    private final BatchOutcomes outcomes;
    private final MigrationListing listing;

    /** Runs without a batch size have batches of the migration's size. */
    public MigrationControl(StatusView view, MigrationCatalog catalog, Clock clock, Supplier<String> ids) {
        this(view, catalog, clock, ids, 0, false);
    }

    /**
     * @param targetBatchMillis what a batch of a run that gives no batch size (and no target of its own) aims at:
     *     its workers size its batches, up to {@value #ADAPTIVE_CAP_FACTOR} times the migration's batch size; 0 =
     *     batches of the migration's size
     */
    public MigrationControl(StatusView view, MigrationCatalog catalog, Clock clock, Supplier<String> ids,
                            int targetBatchMillis) {
        this(view, catalog, clock, ids, targetBatchMillis, false);
    }

    /**
     * @param slowStart whether a new run starts with one segment and adds one with each task outcome until all go
     *     on (TCP's slow start): a coordinator that watches the database's health gives its signals time to speak
     *     before the whole run hits the database
     */
    public MigrationControl(StatusView view, MigrationCatalog catalog, Clock clock, Supplier<String> ids,
                            int targetBatchMillis, boolean slowStart) {
        this(view, catalog, clock, ids, targetBatchMillis, slowStart, 0);
    }

    /**
     * @param maxConcurrency the most segments of a run that gives no concurrency limit of its own with a task out at
     *     once (its {@code limits} say so, and {@code configure} changes it); 0 = all
     */
    public MigrationControl(StatusView view, MigrationCatalog catalog, Clock clock, Supplier<String> ids,
                            int targetBatchMillis, boolean slowStart, int maxConcurrency) {
        this.book = new RunBook(view, catalog, clock, new Pacing(clock, slowStart));
        this.starts = new RunStarts(book, ids, targetBatchMillis, maxConcurrency);
        this.operator = new OperatorCommands(book, starts);
        this.outcomes = new BatchOutcomes(book, starts);
        this.listing = new MigrationListing(book, starts);
    }

    /**
     * The database this coordinator works on: new statuses record it, and a command for a migration whose status
     * records another database is refused (its fence and ledger are in that database, not this one).
     */
    public void useDatabase(String id) {
        book.useDatabase(id);
    }

    // ---- commands

    /** Handles a command without checking tables ({@link TableCheck#NONE}). */
    public Effects onCommand(Command command) {
        return onCommand(command, TableCheck.NONE);
    }

    /**
     * Handles a command.
     *
     * @param tables asked, for a {@code run} that is not refused on other grounds, about the table of each migration
     *     it would start (the series' next ones too); for a {@code list}, about each walk's key columns
     */
    public Effects onCommand(Command command, TableCheck tables) {
        Effects fx = new Effects();
        Optional<MigrationStatus> other = command.fn() == null ? Optional.empty()
                : book.view().find(command.fn()).filter(st -> !book.ours(st));
        if (other.isPresent()) {
            fx.event(new Event.CommandRejected(command.fn(), commandName(command), "the status of " + command.fn()
                    + " belongs to another database (" + other.get().database() + "; this coordinator's is "
                    + book.database() + "): its fence and ledger are there. Give each database its own topics"
                    + " (TOPIC_PREFIX) for its coordinator, workers and CLI; nothing was changed"));
            return fx;
        }
        decide(command, tables, fx);
        recordCommand(command, fx);
        return fx;
    }

    /**
     * Records the command and who asked in the status of each migration it changed ({@code lastCommand}), for the
     * migration it names, or for each one {@code cancelAll} canceled.
     */
    private void recordCommand(Command command, Effects fx) {
        String name = commandName(command);
        for (MigrationStatus st : fx.statuses()) {
            boolean named = command.fn() == null ? command instanceof Command.CancelAll : st.name().equals(command.fn());
            if (named && !st.name().startsWith("*")) {
                MigrationStatus recorded = st.change().lastCommand(new LastCommand(name, command.requestedBy(),
                        book.now())).build();
                book.view().put(recorded);
                fx.status(recorded);
            }
        }
    }

    private void decide(Command command, TableCheck tables, Effects fx) {
        if (command instanceof Command.Run run) {
            Optional<String> problem = RunChecks.problem(run, book.catalog());
            if (problem.isPresent()) {
                fx.event(new Event.CommandRejected(run.fn(), "run", problem.get()));
            } else {
                starts.run(run, tables, fx);
            }
        } else if (command instanceof Command.Cancel cancel) {
            operator.cancel(cancel.fn(), fx, true);
        } else if (command instanceof Command.Pause pause) {
            operator.pause(pause.fn(), fx);
        } else if (command instanceof Command.Resume resume) {
            operator.resume(resume.fn(), fx);
        } else if (command instanceof Command.Configure configure) {
            operator.configure(configure, fx);
        } else if (command instanceof Command.ListMigrations list) {
            fx.event(listing.answer(list, tables));
        } else {
            operator.cancelAll(fx);
        }
    }

    private static String commandName(Command c) {
        return c instanceof Command.Run ? "run" : c instanceof Command.Cancel ? "cancel" : c instanceof Command.Pause
                ? "pause" : c instanceof Command.Resume ? "resume" : c instanceof Command.Configure ? "configure"
                : c instanceof Command.ListMigrations ? "list" : "cancelAll";
    }

    /** The statuses of runs whose plan is outstanding (to plan again after a coordinator takes over). */
    public List<Effects.PlanRequest> pendingPlans() {
        return starts.pendingPlans();
    }

    // ---- events: batch outcomes, plans, health

    /**
     * Handles an event. A {@link Event.BatchCompleted} must carry what the ledger recorded for its batch
     * (the coordinator checks it, see {@link #awaits}), not what a worker, or a stranger, claimed.
     */
    public Effects onEvent(Event event) {
        Effects fx = new Effects();
        if (event instanceof Event.BatchCompleted done) {
            outcomes.completed(done, fx);
        } else if (event instanceof Event.BatchFailed failed) {
            outcomes.failed(failed, fx);
        } else if (event instanceof Event.BatchDelayed delayed) {
            outcomes.delayed(delayed, fx);
        } else if (event instanceof Event.RunPlanned plan) {
            starts.planned(plan, fx);
        } else if (event instanceof Event.HealthChanged h) {
            operator.health(h, fx);
        }
        return fx;
    }

    /**
     * Counts batches that a closed fence waited for, as the ledger recorded them, in the statuses {@code fx} holds
     * (the record that closed the fence), before their workers' outcomes arrive.
     */
    public void count(Event.BatchCompleted asRecorded, Effects fx) {
        outcomes.completed(asRecorded, fx);
    }

    /** True when the outcome is of the batch a segment waits for: only then does it count. */
    public boolean awaits(Event.Outcome o) {
        return outcomes.awaits(o);
    }

    /**
     * After a coordinator takes over: the next batch of every open segment of every running (not paused) run that
     * may go on, whatever the coordinator before knew of its pace: the tasks it had scheduled for later (a rate
     * limit's slots, a health rest) and the segments a slow start had not let go on yet lived only in its memory.
     * A task may thereby be handed out twice (one was still queued): the fence and the ledger apply its batch once,
     * and the outcome of the second is stale and dropped.
     */
    public Effects afterTakeover() {
        Effects fx = new Effects();
        book.pacing().reset();
        book.view().all().stream().filter(book::ours).filter(st -> st.state() == MigrationState.IN_PROGRESS
                        && !st.segments().isEmpty())
                .sorted(Comparator.comparing(MigrationStatus::name))
                .forEach(st -> book.active(st).forEach(s -> book.emit(st, s, fx)));
        return fx;
    }
}
