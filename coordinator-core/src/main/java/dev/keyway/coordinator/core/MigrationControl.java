package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.LastCommand;
import dev.keyway.message.MigrationStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator's rules over the statuses of one {@link RunBook}: commands start, resume, skip or cancel
 * migrations; batch outcomes advance segment cursors and chain the next batch. An outcome counts only if it matches
 * the run id, segment and cursor the status expects, so stale and replayed outcomes are dropped. Made for one input
 * ({@link CoordinatorCore#step}); not thread-safe.
 *
 * <p>This class takes each command and event in and sends it to the rules for it: {@link RunStarts} (run, dry run,
 * plans, series), {@link OperatorCommands} (pause, resume, configure, cancel, health), {@link MigrationListing} (list,
 * which changes nothing) and {@link BatchOutcomes} (what a task's outcome does); they share the statuses and the ways
 * to write them through the {@link RunBook}. It refuses a command for another database's migration and records, in
 * each status a command changed, who asked for it.
 */
final class MigrationControl {

    private final RunBook book;
    private final RunStarts starts;
    private final OperatorCommands operator;
    private final BatchOutcomes outcomes;
    private final MigrationListing listing;
    private final java.util.Set<String> notifyTargets;

    MigrationControl(RunBook book, CoreSettings settings) {
        this.book = book;
        this.starts = new RunStarts(book, settings.targetBatchMillis(), settings.maxConcurrency());
        this.operator = new OperatorCommands(book, starts);
        this.outcomes = new BatchOutcomes(book, starts);
        this.listing = new MigrationListing(book, starts);
        this.notifyTargets = settings.notifyTargets();
    }

    /**
     * The database this coordinator works on: new statuses record it, and a command for a migration whose status
     * records another database is refused (its fence and ledger are in that database, not this one).
     */
    void useDatabase(String id) {
        book.useDatabase(id);
    }

    // ---- commands

    /**
     * Handles a command.
     *
     * @param tables what the database said of the tables a {@code run} would walk, or of the key columns for a
     *     {@code list}; null when it was not asked yet: then such a command asks ({@link Effect.CheckTables}) instead
     *     of deciding, and is handed in again with the answers
     */
    void onCommand(Command command, TableAnswers tables, Effects fx) {
        Optional<MigrationStatus> other = command.fn() == null ? Optional.empty()
                : book.view().find(command.fn()).filter(st -> !book.ours(st));
        if (other.isPresent()) {
            fx.event(new Event.CommandRejected(command.fn(), command.type(), "the status of " + command.fn()
                    + " belongs to another database (" + other.get().run().database() + "; this coordinator's is "
                    + book.database() + "): its fence and ledger are there. Give each database its own topics"
                    + " (TOPIC_PREFIX) for its coordinator, workers and CLI; nothing was changed"));
            return;
        }
        decide(command, tables, fx);
        recordCommand(command, fx);
    }

    /**
     * Records the command and who asked in the status of each migration it changed ({@code lastCommand}), for the
     * migration it names, or for each one {@code cancelAll} canceled.
     */
    private void recordCommand(Command command, Effects fx) {
        String name = command.type();
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

    private void decide(Command command, TableAnswers tables, Effects fx) {
        if (command instanceof Command.Run run) {
            Optional<String> problem = RunChecks.problem(run, book.catalog(), notifyTargets);
            if (problem.isPresent()) {
                fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, problem.get()));
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
            listing.answer(list, tables, fx);
        } else {
            operator.cancelAll(fx);
        }
    }


    // ---- events: batch outcomes, plans, health

    /**
     * Handles an event. A {@link Event.BatchCompleted} must carry what the ledger recorded for its batch (see
     * {@link EventChecks}), not what a worker, or a stranger, claimed.
     */
    void onEvent(Event event, Effects fx) {
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
    }

    /** True when the outcome is of the batch a segment waits for: only then does it count. */
    public boolean awaits(Event.Outcome o) {
        return outcomes.awaits(o);
    }

    /**
     * A coordinator took over with the statuses of the changelog: it asks again for the plans outstanding, and hands
     * out the next batch of every open segment of every running (not paused) run that may go on, whatever the
     * coordinator before knew of its pace: the tasks it had scheduled for later (a rate limit's slots, a health rest)
     * and the segments a slow start had not let go on yet lived only in its memory. A task may thereby be handed out
     * twice (one was still queued): the fence and the ledger apply its batch once, and the outcome of the second is
     * stale and dropped.
     */
    void tookOver(List<MigrationStatus> changelog, String seed, Effects fx) {
        book.tookOver(changelog, seed);
        book.pacing().reset();
        starts.planPending(fx);
        book.view().all().stream().filter(book::ours).filter(st -> st.state().running()
                        && !st.progress().segments().isEmpty())
                .sorted(Comparator.comparing(MigrationStatus::name))
                .forEach(st -> book.active(st).forEach(s -> book.emit(st, s, fx)));
    }
}
