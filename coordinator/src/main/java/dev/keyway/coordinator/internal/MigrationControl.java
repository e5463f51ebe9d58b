package dev.keyway.coordinator.internal;

import dev.keyway.message.Command;
import dev.keyway.message.DryRunReport;
import dev.keyway.message.Event;
import dev.keyway.message.FailedBatch;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
    private final SegmentPlanner planner;
    private final Clock clock;
    private final Supplier<String> ids;

    public MigrationControl(StatusView view, MigrationCatalog catalog, SegmentPlanner planner, Clock clock,
                            Supplier<String> ids) {
        this.view = view;
        this.catalog = catalog;
        this.planner = planner;
        this.clock = clock;
        this.ids = ids;
    }

    public static Supplier<String> randomIds() {
        return () -> UUID.randomUUID().toString();
    }

    // ---- commands

    public Effects onCommand(Command command) {
        Effects fx = new Effects();
        if (command instanceof Command.Run run) {
            Optional<String> unknown = unknownName(run);
            if (unknown.isPresent()) {
                fx.event(new Event.CommandRejected(run.fn(), "run", "unknown migration '" + unknown.get()
                        + "': known migrations are " + catalog.all().stream().map(Migration::name).sorted()
                        .collect(Collectors.toList()) + "; put the jar that defines it on the classpath of the"
                        + " coordinator and the workers"));
            } else if (run.batchSize() != null && (run.batchSize() < 1 || run.batchSize() > Migration.MAX_BATCH_SIZE)) {
                fx.event(new Event.CommandRejected(run.fn(), "run", "batchSize must be between 1 and "
                        + Migration.MAX_BATCH_SIZE + ", but was " + run.batchSize()));
            } else if (run.segments() != null && (run.segments() < 1 || run.segments() > Migration.MAX_SEGMENTS)) {
                fx.event(new Event.CommandRejected(run.fn(), "run", "segments must be between 1 and "
                        + Migration.MAX_SEGMENTS + ", but was " + run.segments()));
            } else if (run.startAt() != null && run.startAt().cursor() != null && !isCursor(run.startAt().cursor())) {
                fx.event(new Event.CommandRejected(run.fn(), "run", "cursor must be a JSON array of key values as"
                        + " shown in the status (e.g. \"[500]\"), but was " + run.startAt().cursor()));
            } else {
                run(run, fx);
            }
        } else if (command instanceof Command.Cancel cancel) {
            cancel(cancel.fn(), fx, true);
        } else {
            List<String> running = view.all().stream().filter(s -> s.state() == MigrationState.IN_PROGRESS)
                    .map(MigrationStatus::name).sorted().collect(Collectors.toList());
            running.forEach(name -> cancel(name, fx, false));
            fx.event(new Event.CommandAccepted("*", "cancelAll", "canceled", running.toString()));
        }
        return fx;
    }

    private static boolean isCursor(String cursor) {
        String c = cursor.trim();
        return c.length() > 2 && c.startsWith("[") && c.endsWith("]");
    }

    private Optional<String> unknownName(Command.Run run) {
        List<String> names = new ArrayList<>(run.next());
        names.add(0, run.fn());
        return names.stream().filter(n -> catalog.find(n).isEmpty()).findFirst();
    }

    private void run(Command.Run run, Effects fx) {
        Migration def = catalog.find(run.fn()).orElseThrow();
        MigrationStatus st = view.find(run.fn()).orElseGet(() -> MigrationStatus.unknown(run.fn(), def.batchSize()));
        int batchSize = run.batchSize() != null ? run.batchSize() : def.batchSize();
        long now = clock.millis();
        if (st.state() == MigrationState.IN_PROGRESS) {
            fx.event(new Event.CommandRejected(run.fn(), "run", "migration " + run.fn()
                    + " is already running (run " + st.runId() + "); cancel it first or watch its status"
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
            started = st.started(st.runId(), st.segments(), resumeSize, run.next(), run.requestedBy(), st.total(), now);
            action = "resumed";
        } else if (run.startAt() != null && run.startAt().cursor() != null) {
            List<SegmentStatus> one = List.of(new SegmentStatus(0, run.startAt().cursor(), null, null, 0, false));
            started = st.started(ids.get(), one, batchSize, run.next(), run.requestedBy(), null, now);
            action = "started";
        } else {
            SegmentPlanner.Plan plan;
            try {
                plan = planner.plan(def, run.segments());
            } catch (StoreException e) {
                if (e.retriable()) {
                    throw e; // the database is away: the command is handled again once it answers
                }
                fx.event(new Event.CommandRejected(run.fn(), "run", "cannot plan " + run.fn() + ": " + e.getMessage()));
                return;
            }
            started = st.started(ids.get(), plan.segments(), batchSize, run.next(), run.requestedBy(), plan.rows(), now);
            action = "started";
        }
        started.segments().stream().filter(s -> !s.done()).forEach(s -> fx.task(task(started, s, false)));
        save(started, fx);
        fx.event(new Event.CommandAccepted(run.fn(), "run", action, started.segments().size() + " segment(s), batch size "
                + started.batchSize() + ", from cursor " + started.cursor()));
    }

    /** One batch from where a run would start: the given cursor, else a failed or canceled run's cursor, else the start. */
    private void dryRun(Command.Run run, MigrationStatus st, Migration def, int batchSize, Effects fx) {
        boolean resumable = st.state() == MigrationState.FAILED || st.state() == MigrationState.CANCELED;
        String cursor = run.startAt() != null ? run.startAt().cursor() : resumable ? st.cursor() : null;
        String dryId = "dry-" + ids.get();
        fx.task(new Task.ProcessBatch(def.name(), dryId, 0, cursor, null, batchSize, true));
        save(st.withDryRun(dryId, st.dryRun()), fx);
        fx.event(new Event.CommandAccepted(run.fn(), "run", "dryRun", "one batch of " + batchSize
                + " from cursor " + cursor + ", rolled back"));
    }

    private void startNext(List<String> series, String requestedBy, Effects fx) {
        if (!series.isEmpty()) {
            run(Command.Run.of(series.get(0)).withNext(series.subList(1, series.size())).withRequestedBy(requestedBy), fx);
        }
    }

    private void cancel(String name, Effects fx, boolean answer) {
        Optional<MigrationStatus> st = view.find(name);
        if (st.isEmpty() || st.get().state() != MigrationState.IN_PROGRESS) {
            if (answer) {
                fx.event(new Event.CommandRejected(name, "cancel", "migration " + name + " is not running (state "
                        + st.map(s -> s.state().json()).orElse("unknown") + ")"));
            }
            return;
        }
        save(st.get().withState(MigrationState.CANCELED, null, clock.millis()), fx);
        if (answer) {
            fx.event(new Event.CommandAccepted(name, "cancel", "canceled", "stops after the batches in flight"));
        }
    }

    // ---- batch outcomes

    public Effects onEvent(Event event) {
        Effects fx = new Effects();
        if (event instanceof Event.BatchCompleted done) {
            completed(done, fx);
        } else if (event instanceof Event.BatchFailed failed) {
            failed(failed, fx);
        }
        return fx;
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
                        e.changes(), null)), fx);
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
        st = st.withSegments(segs);
        if (st.state() == MigrationState.FAILED && st.failedBatch() != null && st.failedBatch().segment() == e.segment()) {
            // the failed batch was replayed (offset reset or retry) and went through: carry on
            st = st.withState(MigrationState.IN_PROGRESS, null, null).withFailedBatch(null);
            for (SegmentStatus other : st.segments()) {
                if (!other.done() && other.index() != e.segment()) {
                    fx.task(task(st, other, false));
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
            if (!advanced.done()) {
                fx.task(task(st, advanced, false));
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

    private static Task.ProcessBatch task(MigrationStatus st, SegmentStatus s, boolean dryRun) {
        return new Task.ProcessBatch(st.name(), st.runId(), s.index(), s.position(), s.to(), st.batchSize(), dryRun);
    }

    private void save(MigrationStatus st, Effects fx) {
        MigrationStatus stamped = st.withUpdatedAt(clock.millis());
        view.put(stamped);
        fx.status(stamped);
    }
}
