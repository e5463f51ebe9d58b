package dev.keyway.coordinator.internal;

import dev.keyway.message.Command;
import dev.keyway.message.DryRunReport;
import dev.keyway.message.Event;
import dev.keyway.message.FailedBatch;
import dev.keyway.message.LastCommand;
import dev.keyway.message.Lease;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.RunFence;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The coordinator's rules, as a state machine over the {@link StatusView}: commands start, resume,
 * skip or cancel migrations; batch outcomes advance segment cursors and chain the next batch. An
 * outcome counts only if it matches the run id, segment and cursor the status expects, so stale and
 * replayed outcomes are dropped. Not thread-safe: one record at a time.
 */
public final class MigrationControl {

    private final StatusView view;
    private final MigrationCatalog catalog;
    private final Clock clock;
    private final Supplier<String> ids;
    /** How fast each migration goes: limits, health, slow start. */
    private final Pacing pacing;

    /** What a batch of a run that gives no batch size aims at, in ms (0 = batches of the migration's size). */
    private final int targetBatchMillis;

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
        this.view = view;
        this.catalog = catalog;
        this.clock = clock;
        this.ids = ids;
        this.targetBatchMillis = targetBatchMillis;
        this.pacing = new Pacing(clock, slowStart);
    }

    /** The identity of the database this coordinator works on, once known ({@link #useDatabase}). */
    private volatile String database;

    /**
     * The database this coordinator works on: new statuses record it, and a command for a migration whose status
     * records another database is refused (its fence and ledger are in that database, not this one).
     */
    public void useDatabase(String id) {
        this.database = id;
    }

    /** Whether the status is of this coordinator's database (or does not say). */
    private boolean ours(MigrationStatus st) {
        return database == null || st.database() == null || st.database().equals(database);
    }

    /** A run whose batches are sized by a time target may have batches up to this many times the migration's size. */
    static final int ADAPTIVE_CAP_FACTOR = 10;

    public static Supplier<String> randomIds() {
        return () -> UUID.randomUUID().toString();
    }

    // ---- commands

    public Effects onCommand(Command command) {
        Effects fx = new Effects();
        Optional<MigrationStatus> other = command.fn() == null ? Optional.empty()
                : view.find(command.fn()).filter(st -> !ours(st));
        if (other.isPresent()) {
            fx.event(new Event.CommandRejected(command.fn(), commandName(command), "the status of " + command.fn()
                    + " belongs to another database (" + other.get().database() + "; this coordinator's is " + database
                    + "): its fence and ledger are there. Give each database its own topics (TOPIC_PREFIX) for its"
                    + " coordinator, workers and CLI; nothing was changed"));
            return fx;
        }
        decide(command, fx);
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
                        clock.millis())).build();
                view.put(recorded);
                fx.status(recorded);
            }
        }
    }

    private void decide(Command command, Effects fx) {
        if (command instanceof Command.Run run) {
            Optional<String> problem = RunChecks.problem(run, catalog);
            if (problem.isPresent()) {
                fx.event(new Event.CommandRejected(run.fn(), "run", problem.get()));
            } else {
                run(run, fx);
            }
        } else if (command instanceof Command.Cancel cancel) {
            cancel(cancel.fn(), fx, true);
        } else if (command instanceof Command.Pause pause) {
            pause(pause.fn(), fx);
        } else if (command instanceof Command.Resume resume) {
            resume(resume.fn(), fx);
        } else if (command instanceof Command.Configure configure) {
            configure(configure, fx);
        } else {
            List<String> running = view.all().stream().filter(MigrationControl::isRunOrPaused).filter(this::ours)
                    .map(MigrationStatus::name).sorted().collect(Collectors.toList());
            running.forEach(name -> cancel(name, fx, false));
            fx.event(new Event.CommandAccepted("*", "cancelAll", "canceled", running.toString()));
        }
    }

    private void run(Command.Run run, Effects fx) {
        Migration def = catalog.find(run.fn()).orElseThrow();
        MigrationStatus st = view.find(run.fn()).orElseGet(() -> MigrationStatus.unknown(run.fn(), def.batchSize()));
        int batchSize = run.batchSize() != null ? run.batchSize() : def.batchSize();
        long now = clock.millis();
        if (isRunOrPaused(st)) {
            fx.event(new Event.CommandRejected(run.fn(), "run", "migration " + run.fn()
                    + (st.state() == MigrationState.PAUSED ? " is paused (run " + st.runId() + "); resume it, or cancel it"
                    + " first" : " is already running (run " + st.runId() + "); cancel it first or watch its status")
                    + (run.next().isEmpty() ? "" : "; the rest of the series " + run.next() + " does not run")));
            return;
        }
        if (run.dryRun()) {
            dryRun(run, st, def, batchSize, fx);
            return;
        }
        if (st.state() == MigrationState.SUCCESS && run.startAt() == null) {
            fx.event(new Event.CommandAccepted(run.fn(), "run", "skipped", "already completed; pass \"cursor\": null to run it again"));
            startNext(run.next(), run.requestedBy(), fx);
            return;
        }
        MigrationStatus started;
        String action;
        boolean resumable = st.state() == MigrationState.FAILED || st.state() == MigrationState.CANCELED;
        if (run.startAt() == null && resumable && !st.segments().isEmpty()) {
            int resumeSize = run.batchSize() != null ? run.batchSize() : st.batchSize();
            started = st.started(st.runId(), st.segments(), resumeSize, run.next(), run.requestedBy(), st.total(), now)
                    .change().limits(run.limits() != null ? run.limits() : st.limits()).build();
            action = "resumed";
        } else if (run.startAt() != null && run.startAt().cursor() != null) {
            List<SegmentStatus> one = List.of(SegmentStatus.fresh(0, run.startAt().cursor(), null));
            Limits limits = newRunLimits(run, def);
            started = st.started(ids.get(), one, newRunBatchSize(run, def, limits), run.next(), run.requestedBy(), null,
                    now).change().limits(limits).build();
            action = "started";
        } else {
            // planned away from the Kafka transaction: the first tasks follow the plan (onPlanned)
            Limits limits = newRunLimits(run, def);
            batchSize = newRunBatchSize(run, def, limits);
            MigrationStatus planning = st.started(ids.get(), List.of(), batchSize, run.next(), run.requestedBy(), null, now)
                    .change().limits(limits).build();
            fx.plan(new Effects.PlanRequest(run.fn(), planning.runId(), run.segments()));
            fx.fence(fence(planning, false));
            save(planning, fx);
            fx.event(new Event.CommandAccepted(run.fn(), "run", "started", "planning segments, batch size "
                    + batchSize + ", from the start"));
            return;
        }
        fx.fence(fence(started, true));
        pacing.started(started);
        active(started).forEach(s -> emit(started, s, fx));
        save(started, fx);
        fx.event(new Event.CommandAccepted(run.fn(), "run", action, started.segments().size() + " segment(s), batch size "
                + started.batchSize() + ", from cursor " + started.cursor()));
    }

    /**
     * A new run's limits: its own; and unless the run or the definition fixes the batch size, a batch time target
     * (the run's, else the definition's, else the coordinator's).
     */
    private Limits newRunLimits(Command.Run run, Migration def) {
        Limits limits = run.limits() == null ? Limits.none() : run.limits();
        if (run.batchSize() == null && limits.targetBatchMillis() == null) {
            int target = def.targetBatchMillis() == Migration.COORDINATORS_TARGET ? targetBatchMillis
                    : def.targetBatchMillis();
            limits = limits.withTarget(target);
        }
        return limits.orNull();
    }

    /**
     * The most rows a new run's batch may have: the run's batch size; else the definition's, ten times over when
     * the definition leaves the size to the coordinator and the run is sized by time.
     */
    private static int newRunBatchSize(Command.Run run, Migration def, Limits limits) {
        if (run.batchSize() != null) {
            return run.batchSize();
        }
        boolean sized = limits != null && limits.targetBatchMillis() != null;
        return sized && def.targetBatchMillis() == Migration.COORDINATORS_TARGET
                ? Math.min(Migration.MAX_BATCH_SIZE, def.batchSize() * ADAPTIVE_CAP_FACTOR) : def.batchSize();
    }

    /** The statuses of runs whose plan is outstanding (to plan again after a coordinator takes over). */
    public List<Effects.PlanRequest> pendingPlans() {
        return view.all().stream().filter(MigrationControl::isPlanning).filter(this::ours)
                .map(s -> new Effects.PlanRequest(s.name(), s.runId(), null)).toList();
    }

    private static boolean isPlanning(MigrationStatus s) {
        return s.state() == MigrationState.IN_PROGRESS && s.segments().isEmpty() && s.runId() != null;
    }

    private void planned(Event.RunPlanned p, Effects fx) {
        Optional<MigrationStatus> found = view.find(p.migration());
        if (found.isEmpty() || !isPlanning(found.get()) || !p.runId().equals(found.get().runId())) {
            return; // canceled while planning, or a plan made twice (a coordinator took over)
        }
        MigrationStatus st = found.get();
        if (p.error() != null) {
            save(st.withState(MigrationState.FAILED, "cannot plan " + p.migration() + ": " + p.error(), clock.millis()), fx);
            fx.event(new Event.CommandRejected(p.migration(), "run", "cannot plan " + p.migration() + ": " + p.error()));
            return;
        }
        List<String> points = SplitPoints.thinned(p.splitPoints());
        List<SegmentStatus> segs = new ArrayList<>();
        String from = null;
        for (int i = 0; i <= points.size(); i++) {
            String to = i < points.size() ? points.get(i) : null;
            segs.add(SegmentStatus.fresh(i, from, to));
            from = to;
        }
        MigrationStatus started = st.started(st.runId(), segs, st.batchSize(), st.next(), st.requestedBy(), p.rows(),
                st.latestStart());
        fx.fence(fence(started, true));
        pacing.started(started);
        active(started).forEach(s -> emit(started, s, fx));
        save(started, fx);
    }

    /** One batch from where a run would start: the given cursor, else a failed or canceled run's cursor, else the start. */
    private void dryRun(Command.Run run, MigrationStatus st, Migration def, int batchSize, Effects fx) {
        boolean resumable = st.state() == MigrationState.FAILED || st.state() == MigrationState.CANCELED;
        String cursor = run.startAt() != null ? run.startAt().cursor() : resumable ? st.cursor() : null;
        String dryId = "dry-" + ids.get();
        fx.task(new Task.ProcessBatch(def.name(), dryId, 0, cursor, null, batchSize, true).withWalk(Task.walkOf(def)));
        save(st.withDryRun(dryId, st.dryRun()), fx);
        fx.event(new Event.CommandAccepted(run.fn(), "run", "dryRun", "one batch of " + batchSize
                + " from cursor " + cursor + ", rolled back"));
    }

    private void startNext(List<String> series, String requestedBy, Effects fx) {
        if (series.isEmpty()) {
            return;
        }
        String name = series.get(0);
        if (catalog.find(name).isEmpty()) {
            // the series was accepted when it existed; a deploy has removed it since
            String error = "the series goes on with '" + name + "', which this coordinator does not define (removed by a"
                    + " deploy?); the series stops here" + (series.size() > 1 ? ", before " + series.subList(1, series.size()) : "")
                    + ". Deploy the jar that defines it to the coordinator and the workers and run it again";
            save(MigrationStatus.unknown(name, Migration.DEFAULT_BATCH_SIZE)
                    .withState(MigrationState.FAILED, error, clock.millis()), fx);
            fx.event(new Event.CommandRejected(name, "run", error));
            return;
        }
        run(Command.Run.of(name).withNext(series.subList(1, series.size())).withRequestedBy(requestedBy), fx);
    }

    private static boolean isRunOrPaused(MigrationStatus s) {
        return s.state() == MigrationState.IN_PROGRESS || s.state() == MigrationState.PAUSED;
    }

    /** Closes the run's fence, keeping the run: no batch of it applies until it is resumed. */
    private void pause(String name, Effects fx) {
        Optional<MigrationStatus> st = view.find(name);
        if (st.isPresent() && st.get().state() == MigrationState.PAUSED && st.get().throttledBy() != null) {
            // paused by a health signal: the operator takes it over, and health no longer resumes it
            save(st.get().change().throttledBy(null).build(), fx);
            fx.event(new Event.CommandAccepted(name, "pause", "paused", "was paused by a health signal; now stays"
                    + " paused until resumed"));
            return;
        }
        if (st.isEmpty() || st.get().state() != MigrationState.IN_PROGRESS) {
            fx.event(new Event.CommandRejected(name, "pause", "migration " + name + " is not running (state "
                    + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            return;
        }
        if (st.get().segments().isEmpty()) {
            fx.event(new Event.CommandRejected(name, "pause", "migration " + name + " is being planned; pause it once its"
                    + " segments are planned (a moment), or cancel it"));
            return;
        }
        MigrationStatus paused = st.get().change().state(MigrationState.PAUSED).build();
        fx.fence(fence(paused, false));
        save(paused, fx);
        fx.event(new Event.CommandAccepted(name, "pause", "paused", "stops after the batches in flight; resume goes on"
                + " from each segment's cursor"));
    }

    /** Reopens a paused run's fence and publishes the next batch of every segment that is not done. */
    private void resume(String name, Effects fx) {
        Optional<MigrationStatus> st = view.find(name);
        if (st.isEmpty() || st.get().state() != MigrationState.PAUSED) {
            fx.event(new Event.CommandRejected(name, "resume", "migration " + name + " is not paused (state "
                    + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            return;
        }
        fx.event(new Event.CommandAccepted(name, "resume", "resumed", st.get().segments().stream()
                .filter(s -> !s.done()).count() + " segment(s) go on from cursor " + st.get().cursor()));
        reopen(st.get(), fx);
    }

    /** A paused run goes on: its fence opens and every segment that is not done gets its next batch. */
    private void reopen(MigrationStatus paused, Effects fx) {
        MigrationStatus resumed = paused.change().state(MigrationState.IN_PROGRESS).throttledBy(null).build();
        if (resumed.segments().stream().allMatch(SegmentStatus::done)) {
            // its last batches completed while it was paused
            MigrationStatus done = resumed.withState(MigrationState.SUCCESS, null, clock.millis());
            save(done, fx);
            startNext(done.next(), done.requestedBy(), fx);
            return;
        }
        fx.fence(fence(resumed, true));
        active(resumed).forEach(s -> emit(resumed, s, fx));
        save(resumed, fx);
    }

    /**
     * New limits for a running or paused run, in force from its next batches: the fence takes the new batch
     * size (so a task of the old size that is still queued is skipped) and every segment that is not done
     * gets its next batch again with the new size; a batch in flight finishes with its own, and the ledger
     * answers its task if it comes again.
     */
    private void configure(Command.Configure c, Effects fx) {
        Optional<MigrationStatus> st = view.find(c.fn());
        if (st.isEmpty() || !isRunOrPaused(st.get()) || st.get().segments().isEmpty()) {
            fx.event(new Event.CommandRejected(c.fn(), "configure", "migration " + c.fn() + " is not running or paused"
                    + " (state " + st.map(s -> s.state().json()).orElse("unknown") + "); give the limits with run instead"));
            return;
        }
        if (c.batchSize() != null && (c.batchSize() < 1 || c.batchSize() > Migration.MAX_BATCH_SIZE)) {
            fx.event(new Event.CommandRejected(c.fn(), "configure", "batchSize must be between 1 and "
                    + Migration.MAX_BATCH_SIZE + ", but was " + c.batchSize()));
            return;
        }
        Limits limits = st.get().limits() == null ? Limits.none() : st.get().limits();
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
            fx.event(new Event.CommandRejected(c.fn(), "configure", e.getMessage()));
            return;
        }
        limits = limits.orNull();
        MigrationStatus configured = st.get().change()
                .batchSize(c.batchSize() != null ? c.batchSize() : st.get().batchSize()).limits(limits).build();
        boolean running = configured.state() == MigrationState.IN_PROGRESS;
        pacing.reconfigured(c.fn());
        fx.fence(fence(configured, running));
        if (running) {
            active(configured).forEach(s -> emit(configured, s, fx));
        }
        save(configured, fx);
        fx.event(new Event.CommandAccepted(c.fn(), "configure", "configured", "batch size " + configured.batchSize()
                + ", " + (limits == null || limits.maxRowsPerSecond() == null ? "no rate limit"
                : "at most " + limits.maxRowsPerSecond() + " rows/s")
                + (limits == null || limits.targetBatchMillis() == null ? ""
                : ", batches sized to take " + limits.targetBatchMillis() + " ms")
                + (limits == null || limits.maxConcurrency() == null ? ""
                : ", at most " + limits.maxConcurrency() + " segment(s) at once") + ", from the next batches"));
    }

    /**
     * A health signal past its hard limit pauses every running migration, with the reason in {@code throttledBy};
     * back under it, the migrations it paused resume (not those an operator paused). Past its limit, running
     * migrations slow down to the watch's share of the time, with the reason in {@code throttledBy}: first fewer of
     * their segments go on at once ({@link #active}), then the one left rests after each task in proportion to the
     * task's time ({@link #emit}) and walks fewer batches a task.
     */
    private void health(Event.HealthChanged h, Effects fx) {
        List<MigrationStatus> all = view.all().stream().filter(this::ours)
                .sorted(java.util.Comparator.comparing(MigrationStatus::name)).toList();
        for (MigrationStatus st : all) {
            if (!h.healthy() && st.state() == MigrationState.IN_PROGRESS && !st.segments().isEmpty()) {
                MigrationStatus throttled = st.change().state(MigrationState.PAUSED).throttledBy(h.reason()).build();
                fx.fence(fence(throttled, false));
                save(throttled, fx);
                fx.event(new Event.CommandAccepted(st.name(), "health", "paused", h.reason()));
            } else if (h.healthy() && st.state() == MigrationState.PAUSED && st.throttledBy() != null) {
                fx.event(new Event.CommandAccepted(st.name(), "health", "resumed", h.reason()));
                pacing.share(h.dutyPercent());
                reopen(st, fx);
            }
        }
        if (!h.healthy()) {
            return;
        }
        List<MigrationStatus> running = view.all().stream().filter(this::ours)
                .filter(st -> st.state() == MigrationState.IN_PROGRESS)
                .sorted(java.util.Comparator.comparing(MigrationStatus::name)).toList();
        Map<String, List<Integer>> wereActive = new HashMap<>();
        running.forEach(st -> wereActive.put(st.name(), active(st).stream().map(SegmentStatus::index).toList()));
        pacing.share(h.dutyPercent());
        String slowedBy = h.dutyPercent() < 100 ? h.reason() : null;
        for (MigrationStatus st : running) {
            // more segments may go on at a larger share; fewer at a smaller one: those stop after their task
            active(st).stream().filter(s -> !wereActive.get(st.name()).contains(s.index())).forEach(s -> emit(st, s, fx));
            if (!Objects.equals(st.throttledBy(), slowedBy)) {
                save(st.change().throttledBy(slowedBy).build(), fx);
            }
        }
    }

    private void cancel(String name, Effects fx, boolean answer) {
        Optional<MigrationStatus> st = view.find(name);
        if (st.isEmpty() || !isRunOrPaused(st.get())) {
            if (answer) {
                fx.event(new Event.CommandRejected(name, "cancel", "migration " + name + " is not running (state "
                        + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            }
            return;
        }
        MigrationStatus canceled = st.get().withState(MigrationState.CANCELED, null, clock.millis());
        fx.fence(fence(canceled, false));
        save(canceled, fx);
        if (answer) {
            fx.event(new Event.CommandAccepted(name, "cancel", "canceled", "stops after the batches in flight"));
        }
    }

    // ---- batch outcomes

    /**
     * Handles an event. A {@link Event.BatchCompleted} must carry what the ledger recorded for its batch
     * (the coordinator checks it, see {@link #awaits}), not what a worker, or a stranger, claimed.
     */
    public Effects onEvent(Event event) {
        Effects fx = new Effects();
        if (event instanceof Event.BatchCompleted done) {
            completed(done, fx);
        } else if (event instanceof Event.BatchFailed failed) {
            failed(failed, fx);
        } else if (event instanceof Event.BatchDelayed delayed) {
            delayed(delayed, fx);
        } else if (event instanceof Event.RunPlanned plan) {
            planned(plan, fx);
        } else if (event instanceof Event.HealthChanged h) {
            health(h, fx);
        }
        return fx;
    }

    /** True when the outcome is of the batch a segment waits for: only then does it count. */
    public boolean awaits(Event.Outcome o) {
        return view.find(o.migration()).flatMap(st -> expected(st, o.runId(), o.segment(), o.cursor())).isPresent();
    }

    private void delayed(Event.BatchDelayed e, Effects fx) {
        Optional<MigrationStatus> found = view.find(e.migration());
        Optional<SegmentStatus> seg = found.flatMap(st -> expected(st, e.runId(), e.segment(), e.cursor()));
        if (seg.isEmpty()) {
            return;
        }
        MigrationStatus st = found.get();
        SegmentStatus delayed = seg.get().delayedBy(e.reason());
        List<SegmentStatus> segs = new ArrayList<>(st.segments());
        segs.set(delayed.index(), delayed);
        MigrationStatus updated = st.withSegments(segs);
        if (updated.state() == MigrationState.IN_PROGRESS) {
            // the lock timeout it waited is its backoff: the application keeps the row meanwhile
            emit(updated, delayed, fx);
        }
        save(updated, fx);
    }

    private void completed(Event.BatchCompleted e, Effects fx) {
        Optional<MigrationStatus> found = view.find(e.migration());
        if (found.isEmpty()) {
            return;
        }
        MigrationStatus st = found.get();
        if (e.dryRun()) {
            if (e.runId().equals(st.pendingDryRun())) {
                save(st.withDryRun(null, new DryRunReport(clock.millis(), e.cursor(), e.processed(), e.nextCursor(),
                        e.changes(), null, e.omitted())), fx);
            }
            return;
        }
        Optional<SegmentStatus> seg = expected(st, e.runId(), e.segment(), e.cursor());
        if (seg.isEmpty()) {
            return;
        }
        SegmentStatus advanced = seg.get().advancedTo(e.nextCursor(), e.processed(), e.done());
        List<SegmentStatus> segs = new ArrayList<>(st.segments());
        segs.set(advanced.index(), advanced);
        List<Integer> wereActive = active(st).stream().map(SegmentStatus::index).toList();
        pacing.outcome(st);
        st = st.withSegments(segs);
        if (st.state() == MigrationState.FAILED && st.failedBatch() != null && st.failedBatch().segment() == e.segment()) {
            // the failed batch was replayed (offset reset or retry) and went through: carry on
            st = st.withState(MigrationState.IN_PROGRESS, null, null).withFailedBatch(null);
            for (SegmentStatus other : active(st)) {
                if (other.index() != e.segment()) {
                    emit(st, other, fx);
                }
            }
        }
        if (st.state() == MigrationState.IN_PROGRESS) {
            if (st.segments().stream().allMatch(SegmentStatus::done)) {
                st = st.withState(MigrationState.SUCCESS, null, clock.millis());
                save(st, fx);
                startNext(st.next(), st.requestedBy(), fx);
                return;
            }
            List<SegmentStatus> active = active(st);
            if (!advanced.done() && active.stream().anyMatch(a -> a.index() == advanced.index())) {
                emit(st, advanced, fx, e.millis());
            }
            // under maxConcurrency, a segment that finished makes way for the next one (and one that is no longer
            // among the first after a configure waits for its turn)
            for (SegmentStatus next : active) {
                if (!wereActive.contains(next.index()) && next.index() != advanced.index()) {
                    emit(st, next, fx);
                }
            }
        }
        save(st, fx);
    }

    private void failed(Event.BatchFailed e, Effects fx) {
        Optional<MigrationStatus> found = view.find(e.migration());
        if (found.isEmpty()) {
            return;
        }
        MigrationStatus st = found.get();
        if (e.runId().equals(st.pendingDryRun())) {
            save(st.withDryRun(null, new DryRunReport(clock.millis(), e.cursor(), 0, null, List.of(), e.error())), fx);
            return;
        }
        if (expected(st, e.runId(), e.segment(), e.cursor()).isEmpty() || st.state() != MigrationState.IN_PROGRESS) {
            return;
        }
        save(st.withState(MigrationState.FAILED, e.error(), clock.millis())
                .withFailedBatch(new FailedBatch(e.segment(), e.cursor(), e.documentId(), e.task())), fx);
    }

    /** The segment an outcome is for, if it is exactly what the status waits for. */
    private static Optional<SegmentStatus> expected(MigrationStatus st, String runId, int segment, String cursor) {
        if (!runId.equals(st.runId()) || segment < 0 || segment >= st.segments().size()) {
            return Optional.empty();
        }
        SegmentStatus s = st.segments().get(segment);
        return !s.done() && Objects.equals(s.position(), cursor) ? Optional.of(s) : Optional.empty();
    }

    private Task.ProcessBatch task(MigrationStatus st, SegmentStatus s) {
        return new Task.ProcessBatch(st.name(), st.runId(), s.index(), s.position(), s.to(), st.batchSize(), false,
                pacing.lease(st), catalog.find(st.name()).map(Task::walkOf).orElse(null));
    }

    private List<SegmentStatus> active(MigrationStatus st) {
        return pacing.active(st);
    }

    /** Hands out a segment's next task, at once or when {@link Pacing#due} says. */
    private void emit(MigrationStatus st, SegmentStatus s, Effects fx) {
        emit(st, s, fx, 0);
    }

    /** @param workedMillis how long the segment's last task took ({@link Pacing#due}) */
    private void emit(MigrationStatus st, SegmentStatus s, Effects fx, long workedMillis) {
        Task.ProcessBatch t = task(st, s);
        long due = pacing.due(st, t.lease(), workedMillis);
        if (due <= clock.millis()) {
            fx.task(t);
        } else {
            fx.later(t, due);
        }
    }

    /**
     * After a coordinator takes over: the next batch of every open segment of each rate-limited run again,
     * since the batches it had scheduled for later died with it. Duplicates are harmless: the fence and the
     * ledger apply each batch once.
     */
    public Effects afterTakeover() {
        Effects fx = new Effects();
        pacing.reset();
        view.all().stream().filter(this::ours).filter(st -> st.state() == MigrationState.IN_PROGRESS && st.limits() != null
                        && st.limits().maxRowsPerSecond() != null)
                .sorted(java.util.Comparator.comparing(MigrationStatus::name))
                .forEach(st -> active(st).forEach(s -> emit(st, s, fx)));
        return fx;
    }

    /** The fence of a run as its status stands. */
    private static RunFence fence(MigrationStatus st, boolean open) {
        List<RunFence.Segment> segs = st.segments().stream()
                .map(s -> new RunFence.Segment(s.index(), s.position(), s.to(), s.done())).toList();
        return new RunFence(st.name(), st.runId(), st.batchSize(), open, segs);
    }

    private static String commandName(Command c) {
        return c instanceof Command.Run ? "run" : c instanceof Command.Cancel ? "cancel" : c instanceof Command.Pause
                ? "pause" : c instanceof Command.Resume ? "resume" : c instanceof Command.Configure ? "configure" : "cancelAll";
    }

    private void save(MigrationStatus st, Effects fx) {
        if (database != null && st.database() == null) {
            st = st.change().database(database).build();
        }
        MigrationStatus stamped = st.withUpdatedAt(clock.millis());
        view.put(stamped);
        fx.status(stamped);
    }
}
