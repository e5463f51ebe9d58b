package dev.keyway.coordinator.core;

import dev.keyway.message.BatchSizing;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.SegmentStatus;
import dev.keyway.migration.Migration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What stops a run, lets it go on, or changes its limits while it runs: the operator's {@code pause},
 * {@code resume}, {@code configure}, {@code cancel} and {@code cancelAll}, and the health watch
 * ({@link Event.HealthChanged}), which pauses, resumes and slows runs down on its own. It writes the statuses of
 * the runs it changes, their fences and next tasks, through the {@link RunBook}; a run it resumes whose last batches
 * completed meanwhile succeeds, and its series goes on ({@link RunStarts#succeeded}). Not thread-safe: one record at
 * a time.
 */
final class OperatorCommands {

    private final RunBook book;
    /** Completes a run that a resume finds done (its last batches went through while it was paused). */
    private final RunStarts starts;

    OperatorCommands(RunBook book, RunStarts starts) {
        this.book = book;
        this.starts = starts;
    }

    /** Closes the run's fence, keeping the run: no batch of it applies until it is resumed. */
    void pause(String name, Effects fx) {
        Optional<MigrationStatus> st = book.view().find(name);
        if (st.isPresent() && st.get().pausedByHealth()) {
            // paused by a health signal: the operator takes it over, and health no longer resumes it
            book.save(st.get().change().pausedBy(MigrationStatus.PAUSED_BY_OPERATOR).build(), fx);
            fx.event(new Event.CommandAccepted(name, Command.Pause.TYPE, "paused",
                    "was paused by a health signal; now stays paused until resumed"));
            return;
        }
        if (st.isEmpty() || !st.get().state().running()) {
            fx.event(new Event.CommandRejected(name, Command.Pause.TYPE, "migration " + name + " is not running (state "
                    + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            return;
        }
        if (st.get().progress().segments().isEmpty()) {
            fx.event(new Event.CommandRejected(name, Command.Pause.TYPE, "migration " + name
                    + " is being planned; pause it once its segments are planned (a moment), or cancel it"));
            return;
        }
        // the operator's pause: health no longer holds it back, nor lifts it (pausedBy)
        MigrationStatus paused = st.get().pausedAt(book.now(), MigrationStatus.PAUSED_BY_OPERATOR).change()
                .throttledBy(null).build();
        fx.fence(RunBook.fence(paused, false));
        book.save(paused, fx);
        fx.event(new Event.CommandAccepted(name, Command.Pause.TYPE, "paused",
                "stops after the batches in flight; resume goes on from each segment's cursor"));
    }

    /** Reopens a paused run's fence and publishes the next batch of every segment that is not done. */
    void resume(String name, Effects fx) {
        Optional<MigrationStatus> st = book.view().find(name);
        if (st.isEmpty() || st.get().state() != MigrationState.PAUSED) {
            fx.event(new Event.CommandRejected(name, Command.Resume.TYPE, "migration " + name + " is not paused (state "
                    + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            return;
        }
        fx.event(new Event.CommandAccepted(name, Command.Resume.TYPE, "resumed", st.get().progress().segments().stream()
                .filter(s -> !s.done()).count() + " segment(s) go on from cursor " + st.get().progress().cursor()));
        reopen(st.get(), fx);
    }

    /** A paused run goes on: its fence opens and every segment that is not done gets its next batch. */
    private void reopen(MigrationStatus paused, Effects fx) {
        MigrationStatus resumed = paused.resumedAt(book.now()).change().throttledBy(null).build();
        if (resumed.progress().segments().stream().allMatch(SegmentStatus::done)) {
            // its last batches completed while it was paused
            starts.succeeded(resumed, fx);
            return;
        }
        fx.fence(RunBook.fence(resumed, true));
        book.active(resumed).forEach(s -> book.emit(resumed, s, fx));
        book.save(resumed, fx);
    }

    /**
     * New limits for a running or paused run, in force from its next tasks: a task already handed out walks with the
     * limits it carries (its outcome brings the next one, with the new limits); a task still waiting for its slot
     * goes out again by the new limits, as does the task of a segment that may now go on (a larger concurrency).
     * No task is handed out twice, so a replayed batch means a redelivery, not a configure.
     */
    void configure(Command.Configure c, Effects fx) {
        Optional<MigrationStatus> st = book.view().find(c.fn());
        if (st.isEmpty() || !RunBook.isRunOrPaused(st.get()) || st.get().progress().segments().isEmpty()) {
            fx.event(new Event.CommandRejected(c.fn(), Command.Configure.TYPE, "migration " + c.fn()
                    + " is not running or paused (state " + st.map(s -> s.state().json()).orElse("unknown")
                    + "); give the limits with run instead"));
            return;
        }
        if (c.batchSize() != null && (c.batchSize() < 1 || c.batchSize() > Migration.MAX_BATCH_SIZE)) {
            fx.event(new Event.CommandRejected(c.fn(), Command.Configure.TYPE, "batchSize must be between 1 and "
                    + Migration.MAX_BATCH_SIZE + ", but was " + c.batchSize()));
            return;
        }
        Limits limits = st.get().pace().limits() == null ? Limits.none() : st.get().pace().limits();
        try {
            if (c.maxRowsPerSecond() != null) {
                limits = limits.withRate(c.maxRowsPerSecond());
            }
            if (c.targetBatchMillis() != null) {
                limits = limits.withTarget(c.targetBatchMillis());
            } else if (c.batchSize() != null) {
                limits = limits.withTarget(null); // a batch size given: batches of that size, as with run
            }
            if (c.maxConcurrency() != null) {
                limits = limits.withConcurrency(c.maxConcurrency());
            }
        } catch (IllegalArgumentException e) {
            fx.event(new Event.CommandRejected(c.fn(), Command.Configure.TYPE, e.getMessage()));
            return;
        }
        limits = limits.orNull();
        List<Integer> wereActive = book.active(st.get()).stream().map(SegmentStatus::index).toList();
        MigrationStatus configured = st.get().change()
                .batchSize(c.batchSize() != null ? c.batchSize() : st.get().pace().batchSize()).limits(limits).build();
        boolean running = configured.state().running();
        book.pacing().reconfigured(c.fn());
        fx.fence(RunBook.fence(configured, running));
        if (running) {
            book.active(configured).stream()
                    .filter(s -> !wereActive.contains(s.index()) || book.pacing().waitsForSlot(configured, s.index()))
                    .forEach(s -> book.emit(configured, s, fx));
        }
        book.save(configured, fx);
        fx.event(new Event.CommandAccepted(c.fn(), Command.Configure.TYPE, "configured",
                BatchSizing.of(configured.pace().batchSize(), limits).describe()
                + ", " + (limits == null || limits.maxRowsPerSecond() == null ? "no rate limit"
                : "at most " + limits.maxRowsPerSecond() + " rows/s")
                + (limits == null || limits.maxConcurrency() == null ? ""
                : ", at most " + limits.maxConcurrency() + " segment(s) at once") + ", from the next batches"));
    }

    /**
     * A health signal past its hard limit pauses every running migration, with the reason in {@code throttledBy} and
     * {@code pausedBy} health; back under it, the migrations it paused resume (not those an operator paused, nor
     * those an operator paused again while health held them: {@code pausedBy} operator). Past its limit, running
     * migrations slow down to the watch's share of the time, with the reason in {@code throttledBy}: first fewer of
     * their segments go on at once ({@link RunBook#active}), then the one left rests after each task in proportion
     * to the task's time ({@link RunBook#emit}) and walks fewer batches a task. A signal the watch cannot read
     * shows in {@code throttledBy} too, even at full speed, naming the signal and why.
     */
    void health(Event.HealthChanged event, Effects fx) {
        // what reaches a status is bounded: the events topic is writable by more than the watch
        Event.HealthChanged h = new Event.HealthChanged(event.migration(), event.watchId(), event.healthy(),
                event.reason() == null ? null : Excerpt.of(event.reason(), BatchOutcomes.MAX_REASON), event.dutyPercent(),
                event.unknown().stream().limit(16).map(u -> Excerpt.of(u, 100)).toList());
        List<MigrationStatus> all = book.view().all().stream().filter(book::ours)
                .sorted(Comparator.comparing(MigrationStatus::name)).toList();
        for (MigrationStatus st : all) {
            if (!h.healthy() && st.state().running() && !st.progress().segments().isEmpty()) {
                MigrationStatus throttled = st.pausedAt(book.now(), MigrationStatus.PAUSED_BY_HEALTH).change()
                        .throttledBy(h.reason()).build();
                fx.fence(RunBook.fence(throttled, false));
                book.save(throttled, fx);
                fx.event(new Event.CommandAccepted(st.name(), "health", "paused", h.reason()));
            } else if (!h.healthy() && st.pausedByHealth() && st.pace().throttledBy() != null
                    && !h.unknown().stream().allMatch(st.pace().throttledBy()::contains)) {
                // paused by health for another reason: the status says too which signal cannot be read now
                book.save(st.change().throttledBy(h.reason()).build(), fx);
            } else if (h.healthy() && st.pausedByHealth()) {
                fx.event(new Event.CommandAccepted(st.name(), "health", "resumed", h.reason()));
                book.pacing().share(h.dutyPercent());
                reopen(st, fx);
            }
        }
        if (!h.healthy()) {
            return;
        }
        List<MigrationStatus> running = book.view().all().stream().filter(book::ours)
                .filter(st -> st.state().running())
                .sorted(Comparator.comparing(MigrationStatus::name)).toList();
        Map<String, List<Integer>> wereActive = new HashMap<>();
        running.forEach(st -> wereActive.put(st.name(), book.active(st).stream().map(SegmentStatus::index).toList()));
        book.pacing().share(h.dutyPercent());
        String slowedBy = h.dutyPercent() < 100 || !h.unknown().isEmpty() ? h.reason() : null;
        for (MigrationStatus st : running) {
            // more segments may go on at a larger share; fewer at a smaller one: those stop after their task
            book.active(st).stream().filter(s -> !wereActive.get(st.name()).contains(s.index()))
                    .forEach(s -> book.emit(st, s, fx));
            if (!Objects.equals(st.pace().throttledBy(), slowedBy)) {
                book.save(st.change().throttledBy(slowedBy).build(), fx);
            }
        }
    }

    /**
     * Cancels a running or paused run: its fence closes, the batches in flight finish.
     *
     * @param answer whether to answer the command (cancelAll answers once, for all)
     */
    void cancel(String name, Effects fx, boolean answer) {
        Optional<MigrationStatus> st = book.view().find(name);
        if (st.isEmpty() || !RunBook.isRunOrPaused(st.get())) {
            if (answer) {
                fx.event(new Event.CommandRejected(name, Command.Cancel.TYPE, "migration " + name
                        + " is not running (state " + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            }
            return;
        }
        MigrationStatus canceled = st.get().run().kind() == RunKind.VERIFY
                ? st.get().withState(MigrationState.VERIFY_FAILED, "the verify was canceled after " + st.get().progress()
                        .processed() + " rows (" + st.get().verification().mismatched() + " found so far); bin/migrate"
                        + " verify " + name + " resumes it", book.now())
                : st.get().withState(MigrationState.CANCELED, null, book.now());
        fx.fence(RunBook.fence(canceled, false));
        book.save(canceled, fx);
        if (answer) {
            fx.event(new Event.CommandAccepted(name, Command.Cancel.TYPE, "canceled",
                    "stops after the batches in flight"));
        }
    }

    /** Cancels every running or paused run of this coordinator's database, in name order, with one answer. */
    void cancelAll(Effects fx) {
        List<String> running = book.view().all().stream().filter(RunBook::isRunOrPaused).filter(book::ours)
                .map(MigrationStatus::name).sorted().collect(Collectors.toList());
        running.forEach(name -> cancel(name, fx, false));
        fx.event(new Event.CommandAccepted("*", Command.CancelAll.TYPE, "canceled", running.toString()));
    }
}
