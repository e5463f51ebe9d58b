package dev.keyway.coordinator.core;

import dev.keyway.message.BatchKey;
import dev.keyway.message.BatchSizing;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.QuarantineLimit;
import dev.keyway.message.RunKind;
import dev.keyway.message.StatusChange;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.Migration;
import dev.keyway.store.RunFence;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a run starts: a {@code run} command (a new run, planned first or from a given cursor; a failed or canceled
 * run resumed; a completed one skipped; a dry run of one batch), the plan of a new run's segments arriving
 * ({@link Event.RunPlanned}), and the next migration of a series once one succeeds ({@link #succeeded}). It writes
 * the statuses of the runs it starts, their fences and first tasks, and plan requests, through the {@link RunBook}.
 * Not thread-safe: one record at a time.
 */
final class RunStarts {

    /** A run whose batches are sized by a time target may have batches up to this many times the migration's size. */
    static final int ADAPTIVE_CAP_FACTOR = 10;
    /**
     * The answer to a {@code run} of a completed migration: the same goes to the command line and to services that
     * write commands, so it names the flag and the command's field.
     */
    static final String COMPLETED = "already completed; to run it again from the start, give --from-start (in a"
            + " command: \"cursor\": null)";

    private final RunBook book;
    /** What a batch of a run that gives no batch size aims at, in ms (0 = batches of the migration's size). */
    private final int targetBatchMillis;
    /** The most segments at once of a run that gives no limit of its own; 0 = all. */
    private final int maxConcurrency;

    /**
     * @param targetBatchMillis what a batch of a run that gives no batch size (and no target of its own) aims at, in
     *     ms; 0 = batches of the migration's size
     */
    RunStarts(RunBook book, int targetBatchMillis, int maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
        this.book = book;
        this.targetBatchMillis = targetBatchMillis;
    }

    /**
     * Starts, resumes, skips or dry-runs the migration a valid {@code run} command names ({@link RunChecks}); refuses
     * it, with nothing changed, when a table it would walk cannot be walked: a resumed run and one from a cursor are
     * not planned, and a series' next migrations are planned only when their turn comes.
     *
     * @param tables what the database said of the tables the run would walk; null when it was not asked yet: then
     *     a run not refused on other grounds asks ({@link Effect.CheckTables}) and does nothing else
     */
    void run(Command.Run run, TableAnswers tables, Effects fx) {
        Migration def = book.catalog().find(run.fn()).orElseThrow();
        MigrationStatus st = book.view().find(run.fn()).orElseGet(() -> MigrationStatus.unknown(run.fn(), def.batchSize()));
        int batchSize = run.batchSize() != null ? run.batchSize() : def.batchSize();
        long now = book.now();
        if (RunBook.isRunOrPaused(st)) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, "migration " + run.fn()
                    + (st.state() == MigrationState.PAUSED ? " is paused (run " + st.run().runId() + "); resume it, or cancel it"
                    + " first" : " is already running (run " + st.run().runId() + "); cancel it first or watch its status")
                    + (run.next().isEmpty() ? "" : "; the rest of the series " + run.next() + " does not run")));
            return;
        }
        if (tables == null) {
            fx.ask(new Effect.CheckTables(run, walks(run, st), List.of()));
            return;
        }
        Optional<String> unwalkable = unwalkable(run, st, tables);
        if (unwalkable.isPresent()) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, unwalkable.get()));
            return;
        }
        boolean resumable = st.state() == MigrationState.FAILED || st.state() == MigrationState.CANCELED;
        Optional<String> noTotal = percentWithoutTotal(run, st, resumable);
        if (noTotal.isPresent()) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, noTotal.get()));
            return;
        }
        if (run.onlyQuarantined() && !(resumable && st.run().onlyQuarantined())) {
            retryQuarantined(run, st, def, fx);
            return;
        }
        if (run.kind() == RunKind.VERIFY) {
            verify(run, st, def, fx);
            return;
        }
        if (run.kind() == RunKind.FIX && !(resumable && st.run().kind() == RunKind.FIX)) {
            fix(run, st, def, fx);
            return;
        }
        if (run.kind() == RunKind.UNDO && !(resumable && st.run().kind() == RunKind.UNDO
                && !st.progress().segments().isEmpty() && st.run().undoOf().runId().equals(run.undoOf().runId()))) {
            undo(run, st, def, fx);
            return;
        }
        if (run.dryRun()) {
            dryRun(run, st, def, batchSize, fx);
            return;
        }
        if (st.isDone() && run.startAt() == null) {
            fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, "skipped", COMPLETED));
            startNext(run.next(), run.requestedBy(), fx);
            return;
        }
        MigrationStatus started;
        String action;
        if (run.startAt() == null && resumable && !st.progress().segments().isEmpty()) {
            int resumeSize = run.batchSize() != null ? run.batchSize() : st.pace().batchSize();
            // the same run goes on: its rate and ETA count from here, with the rows it had
            started = st.started(st.run().runId(), st.progress().segments(), resumeSize, run.next(), run.requestedBy(),
                    st.progress().total(), now)
                    .change().limits(run.limits() != null ? run.limits() : st.pace().limits())
                    .startProcessed(st.progress().processed())
                    .startedAt(st.run().startedAt() != null ? st.run().startedAt() : now)
                    .notifyTargets(run.notifyTargets().isEmpty() ? st.run().notifyTargets() : run.notifyTargets())
                    .undoOf(run.undoOf() != null ? run.undoOf() : st.run().undoOf())
                    .keepImages(st.run().keepImages() || run.keepImages())
                    .build();
            if (run.maxQuarantined() != null) {
                started = quarantine(started.change(), run.maxQuarantined(), st.progress().total(),
                        st.run().onlyQuarantined()).build();
            }
            action = "resumed";
        } else if (run.startAt() != null && run.startAt().cursor() != null) {
            List<SegmentStatus> one = List.of(SegmentStatus.fresh(0, run.startAt().cursor(), null));
            Limits limits = newRunLimits(run, def);
            started = quarantine(fresh(st, RunKind.MIGRATE).started(book.newId(), one, newRunBatchSize(run, def, limits),
                    run.next(), run.requestedBy(), null, now).change().limits(limits).notifyTargets(run.notifyTargets()).quarantined(0)
                    .keepImages(keepsImages(run, def)), limit(run, def), null, false).build();
            action = "started";
        } else {
            // planned away from the Kafka transaction: the first tasks follow the plan (onPlanned)
            Limits limits = newRunLimits(run, def);
            batchSize = newRunBatchSize(run, def, limits);
            MigrationStatus planning = quarantine(fresh(st, RunKind.MIGRATE).started(book.newId(), List.of(), batchSize,
                    run.next(), run.requestedBy(), null, now).change().limits(limits).notifyTargets(run.notifyTargets()).quarantined(0)
                    .keepImages(keepsImages(run, def)), limit(run, def), null, false).build();
            plan(run, planning, "planning segments, " + BatchSizing.of(batchSize, limits).describe() + ", from the start",
                    fx);
            return;
        }
        if (started.progress().segments().stream().allMatch(SegmentStatus::done)) {
            // the batches a cancel waited for (or a failed batch replayed meanwhile) finished every segment
            fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, action, "nothing was left to walk:"
                    + " the batches in flight when it stopped finished every segment; it completes now"));
            succeeded(started, fx);
            return;
        }
        goOn(started, fx);
        fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, action, started.progress().segments().size()
                + " segment(s), "
                + BatchSizing.of(started.pace().batchSize(),
                        started.pace().limits()).describe() + ", from cursor " + started.progress().cursor()));
    }

    /**
     * Why a table the run would walk (its own, from the cursors it would start from, or a later one of its series)
     * cannot be walked; empty when all can.
     */
    private Optional<String> unwalkable(Command.Run run, MigrationStatus st, TableAnswers tables) {
        List<Effect.Walk> walks = walks(run, st);
        List<String> names = walks.stream().map(w -> w.migration().name()).toList();
        for (Effect.Walk walk : walks) {
            Optional<String> problem = tables.problem(walk.migration().name(), walk.cursors());
            if (problem.isPresent()) {
                return Optional.of("cannot run " + walk.migration().name() + ": " + problem.get()
                        + "; nothing was changed" + (names.size() > 1 ? " (the series " + names + " does not start)" : ""));
            }
        }
        return Optional.empty();
    }

    /** The walks of the tables the run would walk: its own, from the cursors it would start from, then its series'. */
    private List<Effect.Walk> walks(Command.Run run, MigrationStatus st) {
        List<Effect.Walk> walks = new ArrayList<>();
        walks.add(new Effect.Walk(book.catalog().find(run.fn()).orElseThrow(), startingCursors(run, st)));
        run.next().forEach(n -> walks.add(new Effect.Walk(book.catalog().find(n).orElseThrow(), List.of())));
        return walks;
    }

    /**
     * The cursors a run would start from: the one it is given; else, for a failed or canceled run it resumes (a dry
     * run too), where its segments stand and end; else none (a new run is planned from the table as it is).
     */
    private static List<String> startingCursors(Command.Run run, MigrationStatus st) {
        if (run.onlyQuarantined() || run.kind() == RunKind.FIX || run.kind() == RunKind.UNDO
                || (st.run().onlyQuarantined() || st.run().kind() == RunKind.FIX || st.run().kind() == RunKind.UNDO)
                && run.startAt() == null) {
            return List.of(); // its cursors are keys in keyway_quarantine or keyway_verify, not in the table's walk
        }
        if (run.startAt() != null) {
            return run.startAt().cursor() == null ? List.of() : List.of(run.startAt().cursor());
        }
        boolean resumes = run.kind() == RunKind.VERIFY ? st.state() == MigrationState.VERIFY_FAILED
                && st.run().kind() == RunKind.VERIFY
                : st.state() == MigrationState.FAILED || st.state() == MigrationState.CANCELED;
        if (!resumes) {
            return List.of();
        }
        List<String> cursors = new ArrayList<>();
        for (SegmentStatus s : st.progress().segments()) {
            if (s.position() != null) {
                cursors.add(s.position());
            }
            if (s.to() != null) {
                cursors.add(s.to());
            }
        }
        return cursors;
    }

    /**
     * A new run's limits: its own; unless the run or the definition fixes the batch size, a batch time target (the
     * run's, else the definition's, else the coordinator's); and unless the run gives one, the coordinator's
     * concurrency limit.
     */
    private Limits newRunLimits(Command.Run run, Migration def) {
        Limits limits = run.limits() == null ? Limits.none() : run.limits();
        if (run.batchSize() == null && limits.targetBatchMillis() == null) {
            int target = def.targetBatchMillis() == Migration.COORDINATORS_TARGET ? targetBatchMillis
                    : def.targetBatchMillis();
            limits = limits.withTarget(target);
        }
        if (limits.maxConcurrency() == null && maxConcurrency > 0) {
            limits = limits.withConcurrency(maxConcurrency);
        }
        return limits.orNull();
    }

    /**
     * A run over just the documents in quarantine ({@code retry FN --quarantined}), after a run that succeeded: one
     * segment walking {@code keyway_quarantine}'s keys, each document leaving quarantine in the batch that migrates it.
     * Refused while the migration's run has not ended well: its own documents are not all walked yet.
     */
    private void retryQuarantined(Command.Run run, MigrationStatus st, Migration def, Effects fx) {
        if (st.state() != MigrationState.SUCCESS) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, "migration " + run.fn() + " is "
                    + st.state().json() + ": retry --quarantined follows a run that succeeded; "
                    + (st.state() == MigrationState.UNKNOWN ? "it never ran" : "finish it first (bin/migrate run "
                    + run.fn() + " resumes it; --max-quarantined N raises its limit)")));
            return;
        }
        Limits limits = newRunLimits(run, def);
        MigrationStatus started = quarantine(fresh(st, RunKind.MIGRATE).started(book.newId(),
                List.of(SegmentStatus.fresh(0, null, null)), newRunBatchSize(run, def, limits), List.of(),
                run.requestedBy(), null, book.now()).change().limits(limits).notifyTargets(run.notifyTargets()).quarantined(0), limit(run, def), null, true)
                .build();
        goOn(started, fx);
        fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, "started", "the documents in quarantine, "
                + BatchSizing.of(started.pace().batchSize(), limits).describe()));
    }

    /**
     * The status a new run of this kind starts from: the last run's cursor (a run being planned has none yet), the
     * last verify's findings, an undo's target and conflicts, and the last run's images setting are dropped.
     */
    private static MigrationStatus fresh(MigrationStatus st, RunKind kind) {
        return st.change().kind(kind).verification(MigrationStatus.Verification.NONE).undoOf(null).conflicts(0)
                .keepImages(false).cursor(null).build();
    }

    /** Whether a new migrating run keeps before-images: it asks, or its definition does. */
    private static boolean keepsImages(Command.Run run, Migration def) {
        return run.keepImages() || def.beforeImages();
    }

    /**
     * An undo ({@code bin/migrate undo}): a new run over the before-images of the run it names, planned into
     * segments of image ids; each batch restores its rows, leaving a row the application changed since as it is (a
     * conflict) unless forced. Refused while the migration runs (checked before), and for a run of this migration
     * that is the undo itself.
     */
    private void undo(Command.Run run, MigrationStatus st, Migration def, Effects fx) {
        if (run.undoOf().runId().equals(st.run().runId()) && st.run().kind() == RunKind.UNDO) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, "run " + run.undoOf().runId() + " is an undo"
                    + " itself: it kept no before-images; name the run it took back to undo that one again"));
            return;
        }
        Limits limits = newRunLimits(run, def);
        int batchSize = newRunBatchSize(run, def, limits);
        MigrationStatus planning = quarantine(fresh(st, RunKind.UNDO).change().undoOf(run.undoOf()).build()
                .started(book.newId(), List.of(), batchSize, List.of(), run.requestedBy(), null, book.now()).change()
                .limits(limits).notifyTargets(run.notifyTargets()).quarantined(0), QuarantineLimit.count(0), null,
                false).build();
        plan(run, planning, "undoing run " + run.undoOf().runId() + (run.undoOf().force()
                ? " (forced: rows changed since are overwritten)" : " (rows changed since are left as they are, as"
                + " conflicts)") + ": planning segments, " + BatchSizing.of(batchSize, limits).describe(), fx);
    }

    /**
     * A verify of a migration whose run succeeded ({@code bin/migrate verify}): planned like a new run and walked like
     * one, without writing; or an unfinished verify (failed, canceled) resumed where its segments stand. Refused while
     * the migration's run has not succeeded, and from a cursor.
     */
    private void verify(Command.Run run, MigrationStatus st, Migration def, Effects fx) {
        if (!st.isDone()) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, "migration " + run.fn() + " is "
                    + st.state().json() + ": verify checks a migration whose run succeeded; " + (st.state()
                    == MigrationState.UNKNOWN ? "it never ran" : "finish it first (bin/migrate run " + run.fn()
                    + " resumes it)")));
            return;
        }
        if (run.startAt() != null && run.startAt().cursor() != null) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, "a verify walks the whole range of " + run.fn()
                    + " (or resumes an unfinished one): it takes no cursor; nothing was changed"));
            return;
        }
        Limits limits = newRunLimits(run, def);
        boolean unfinished = st.state() == MigrationState.VERIFY_FAILED && st.run().kind() == RunKind.VERIFY
                && !st.progress().segments().isEmpty()
                && !st.progress().segments().stream().allMatch(SegmentStatus::done);
        if (run.startAt() == null && unfinished) {
            MigrationStatus started = st.started(st.run().runId(), st.progress().segments(),
                    run.batchSize() != null ? run.batchSize() : st.pace().batchSize(), List.of(), run.requestedBy(),
                    st.progress().total(), book.now()).change()
                    .limits(run.limits() != null ? run.limits() : st.pace().limits())
                    .startProcessed(st.progress().processed()).startedAt(st.run().startedAt())
                    .notifyTargets(run.notifyTargets().isEmpty() ? st.run().notifyTargets() : run.notifyTargets())
                    .build();
            goOn(started, fx);
            fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, "resumed", "verifying from cursor "
                    + started.progress().cursor() + " (" + started.verification().mismatched() + " found so far), "
                    + BatchSizing.of(started.pace().batchSize(), started.pace().limits()).describe()));
            return;
        }
        int batchSize = newRunBatchSize(run, def, limits);
        MigrationStatus planning = quarantine(fresh(st, RunKind.VERIFY).started(book.newId(), List.of(), batchSize,
                List.of(), run.requestedBy(), null, book.now()).change().limits(limits)
                .notifyTargets(run.notifyTargets()).quarantined(0), QuarantineLimit.count(0), null, false).build();
        plan(run, planning, "verifying: planning segments, " + BatchSizing.of(batchSize, limits).describe()
                + ", reading without locks and writing nothing", fx);
    }

    /**
     * A run of {@code migrateOne} over just the rows the last verify found ({@code verify --fix}): one segment walking
     * {@code keyway_verify}'s keys, each row leaving it in the batch that migrates it. Only after a verify that walked
     * every row and found some.
     */
    private void fix(Command.Run run, MigrationStatus st, Migration def, Effects fx) {
        boolean found = st.state() == MigrationState.VERIFY_FAILED && st.run().kind() == RunKind.VERIFY
                && st.progress().segments().stream().allMatch(SegmentStatus::done)
                && st.verification().mismatched() > 0;
        if (!found) {
            fx.event(new Event.CommandRejected(run.fn(), Command.Run.TYPE, "verify --fix migrates the rows a finished"
                    + " verify found, but " + run.fn() + " is " + st.state().json() + (st.state()
                    == MigrationState.VERIFY_FAILED ? " with a verify that did not finish (bin/migrate verify " + run.fn()
                    + " resumes it)" : st.state() == MigrationState.VERIFIED ? ": its last verify found nothing to fix"
                    : ": run bin/migrate verify " + run.fn() + " first")));
            return;
        }
        Limits limits = newRunLimits(run, def);
        MigrationStatus started = quarantine(st.change().kind(RunKind.FIX).build().started(book.newId(),
                List.of(SegmentStatus.fresh(0, null, null)), newRunBatchSize(run, def, limits), List.of(),
                run.requestedBy(), st.verification().mismatched(), book.now()).change().limits(limits)
                .notifyTargets(run.notifyTargets()).quarantined(0), limit(run, def), null, false).build();
        goOn(started, fx);
        fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, "started", "the "
                + st.verification().mismatched() + " rows the verify found, "
                + BatchSizing.of(started.pace().batchSize(), limits).describe()));
    }

    /** A new run's quarantine limit: the run's, else the definition's (a count; 0 = off). */
    private static QuarantineLimit limit(Command.Run run, Migration def) {
        return run.maxQuarantined() != null ? run.maxQuarantined() : QuarantineLimit.count(def.maxQuarantined());
    }

    /**
     * The status's quarantine: the limit as a count of a run of {@code total} rows (none yet for a percentage of a run
     * still to be planned; off for 0), the percentage it was asked as, and whether the run walks only the quarantine.
     */
    private static StatusChange quarantine(StatusChange change, QuarantineLimit limit, Long total, boolean only) {
        Long max = limit.countOf(total);
        return change.maxQuarantined(max != null && max > 0 ? max : null).maxQuarantinedPercent(limit.percent())
                .onlyQuarantined(only);
    }

    /**
     * Why a run cannot take its {@code --max-quarantined} percentage: the run has no total to take it of (a run from
     * a cursor, a retry of the quarantine, a resume of a run without one); empty when it can, or it asks for a count.
     */
    private static Optional<String> percentWithoutTotal(Command.Run run, MigrationStatus st, boolean resumable) {
        if (run.maxQuarantined() == null || run.maxQuarantined().percent() == null || run.dryRun()) {
            return Optional.empty();
        }
        boolean resumes = run.startAt() == null && resumable && !st.progress().segments().isEmpty();
        boolean planned = !run.onlyQuarantined() && (run.startAt() == null ? !resumes : run.startAt().cursor() == null);
        if (planned || resumes && st.progress().total() != null) {
            return Optional.empty();
        }
        return Optional.of("cannot run " + run.fn() + " with --max-quarantined " + run.maxQuarantined() + ": a"
                + " percentage is of the run's rows, counted when a run from the beginning is planned, and this run has"
                + " none; give a count instead; nothing was changed");
    }

    /** How a run of {@code def} that gives no batch size or limits of its own sizes its batches. */
    BatchSizing sizing(Migration def) {
        Command.Run plain = Command.Run.of(def.name());
        Limits limits = newRunLimits(plain, def);
        return BatchSizing.of(newRunBatchSize(plain, def, limits), limits);
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

    /**
     * A new run of any kind starts by being planned: the plan is asked for (of its kind, and of the run an undo takes
     * back), its fence is written closed until the plan opens it, its status is saved without segments, and the run
     * command is accepted with {@code detail}.
     */
    private void plan(Command.Run run, MigrationStatus planning, String detail, Effects fx) {
        book.plan(run.fn(), planning.run().runId(), run.segments(), planning.run().kind(),
                planning.run().undoOf() == null ? null : planning.run().undoOf().runId(), fx);
        fx.fence(RunBook.fence(planning, false));
        book.save(planning, fx);
        fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, "started", detail));
    }

    /** Asks again for the plans of the runs whose plan is outstanding (after a coordinator takes over), by name. */
    void planPending(Effects fx) {
        book.view().all().stream().filter(RunStarts::isPlanning).filter(book::ours)
                .sorted(java.util.Comparator.comparing(MigrationStatus::name))
                .forEach(s -> book.plan(s.name(), s.run().runId(), null, s.run().kind(),
                        s.run().undoOf() == null ? null : s.run().undoOf().runId(), fx));
    }

    private static boolean isPlanning(MigrationStatus s) {
        return s.state().running() && s.progress().segments().isEmpty() && s.run().runId() != null;
    }

    /** A new run's segments are planned: its fence opens on them and they get their first tasks. */
    void planned(Event.RunPlanned p, Effects fx) {
        Optional<MigrationStatus> found = book.view().find(p.migration());
        if (found.isEmpty() || !isPlanning(found.get()) || !p.runId().equals(found.get().run().runId())) {
            return; // canceled while planning, or a plan made twice (a coordinator took over)
        }
        MigrationStatus st = found.get();
        if (p.error() != null) {
            book.save(st.withState(MigrationState.FAILED, "cannot plan " + p.migration() + ": " + p.error(), book.now()), fx);
            fx.event(new Event.CommandRejected(p.migration(), Command.Run.TYPE,
                    "cannot plan " + p.migration() + ": " + p.error()));
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
        MigrationStatus planned = st.started(st.run().runId(), segs, st.pace().batchSize(), st.run().next(),
                st.run().requestedBy(), p.rows(), st.run().latestStart());
        Double percent = planned.run().quarantine().percent();
        if (percent != null) {
            // --max-quarantined 0.1%: a count now that the run's rows are counted
            planned = planned.change().maxQuarantined(QuarantineLimit.percent(percent).countOf(p.rows())).build();
        }
        goOn(planned, fx);
    }

    /** A run with its segments starts: its fence opens, its pace starts and its active segments get a task. */
    private void goOn(MigrationStatus started, Effects fx) {
        fx.fence(RunBook.fence(started, true));
        book.pacing().started(started);
        book.active(started).forEach(s -> book.emit(started, s, fx));
        book.save(started, fx);
    }

    /** One batch from where a run would start: the given cursor, else a failed or canceled run's cursor, else the start. */
    private void dryRun(Command.Run run, MigrationStatus st, Migration def, int batchSize, Effects fx) {
        boolean resumable = st.state() == MigrationState.FAILED || st.state() == MigrationState.CANCELED;
        String cursor = run.startAt() != null ? run.startAt().cursor() : resumable ? st.progress().cursor() : null;
        String dryId = "dry-" + book.newId();
        // fenced like a batch: only this task, once, may run migrateOne over those rows
        fx.fence(RunFence.dryRun(def.name(), dryId, cursor, batchSize, true));
        fx.task(new Task.ProcessBatch(new BatchKey(def.name(), dryId, 0, cursor), null, batchSize, true)
                .withWalk(Task.walkOf(def)));
        book.save(st.withDryRun(dryId, st.dryRuns().last()), fx);
        fx.event(new Event.CommandAccepted(run.fn(), Command.Run.TYPE, "dryRun", "one batch of " + batchSize
                + " from cursor " + cursor + ", rolled back"));
    }

    /** A run whose segments are all done succeeds, and the rest of its series starts ({@link #startNext}). */
    void succeeded(MigrationStatus run, Effects fx) {
        if (run.run().kind() == RunKind.VERIFY) {
            long found = run.verification().mismatched();
            book.save(found == 0 ? run.withState(MigrationState.VERIFIED, null, book.now())
                    : run.withState(MigrationState.VERIFY_FAILED, found + " of " + run.progress().processed() + " rows"
                    + " would still change (migrateOne returns a different value, writes through ctx.db() or throws);"
                    + " list them with: bin/migrate verify " + run.name() + " --list; migrate just them with: bin/migrate"
                    + " verify " + run.name() + " --fix", book.now()), fx);
            return;
        }
        MigrationStatus done = run.withState(MigrationState.SUCCESS, null, book.now());
        book.save(done, fx);
        startNext(done.run().next(), done.run().requestedBy(), fx);
    }

    /**
     * Runs the first migration of the rest of a series (nothing when it is empty), the rest after it; fails it when
     * this coordinator no longer defines it.
     */
    private void startNext(List<String> series, String requestedBy, Effects fx) {
        if (series.isEmpty()) {
            return;
        }
        String name = series.get(0);
        if (book.catalog().find(name).isEmpty()) {
            // the series was accepted when it existed; a deploy has removed it since
            String error = "the series goes on with '" + name + "', which this coordinator does not define (removed by a"
                    + " deploy?); the series stops here" + (series.size() > 1 ? ", before " + series.subList(1, series.size()) : "")
                    + ". Deploy the jar that defines it to the coordinator and the workers and run it again";
            book.save(MigrationStatus.unknown(name, Migration.DEFAULT_BATCH_SIZE)
                    .withState(MigrationState.FAILED, error, book.now()), fx);
            fx.event(new Event.CommandRejected(name, Command.Run.TYPE, error));
            return;
        }
        // its table was checked when the series was asked for; a new run's planning checks it again
        run(Command.Run.of(name).withNext(series.subList(1, series.size())).withRequestedBy(requestedBy),
                TableAnswers.NONE, fx);
    }
}
