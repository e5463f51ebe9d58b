package dev.keyway.coordinator.core;

import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.RunFence;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the coordinator's rules ({@link RunStarts}, {@link OperatorCommands}, {@link BatchOutcomes}) share while they
 * handle one input: the statuses ({@link StatusView}), the migrations this coordinator defines, the input's time, how
 * fast each migration goes ({@link Pacing}), the database it works on, the plans asked for and the ids of new runs;
 * and the ways a rule writes: it saves a status, hands out a segment's next task, asks for a run's fence or plan,
 * always into the {@link Effects} of the input. A saved status is in the view at once, so a later rule of the same
 * input sees it. Made from a {@link CoordinatorState} for one input and handed back as a new one ({@link #state}).
 *
 * <p>Not thread-safe: one input at a time.
 */
final class RunBook {

    private final StatusView view;
    private final MigrationCatalog catalog;
    private final long now;
    private final Pacing pacing;
    /** The plan each migration being planned waits for (migration to plan id). */
    private final Map<String, String> plansAsked;
    private RunIds ids;
    /** The identity of the database this coordinator works on, once known ({@link #useDatabase}). */
    private String database;

    RunBook(CoordinatorState state, MigrationCatalog catalog, long now, boolean slowStart) {
        this.view = new StatusView(state.statuses());
        this.catalog = catalog;
        this.now = now;
        this.pacing = new Pacing(state.pace(), now, slowStart);
        this.plansAsked = new HashMap<>(state.plansAsked());
        this.ids = state.ids();
        this.database = state.database();
    }

    /** The state as the rules of this input left it. */
    CoordinatorState state() {
        return new CoordinatorState(view.snapshot(), pacing.snapshot(), database, plansAsked, ids);
    }

    /** A new run's, dry run's or plan's id. */
    String newId() {
        String id = ids.id();
        ids = ids.next();
        return id;
    }

    /** Asks for a plan of the run's segments, to be made once the record's transaction commits. */
    void plan(String migration, String runId, Integer segments, RunKind kind, String imagesOf, Effects fx) {
        String planId = newId();
        plansAsked.put(migration, planId);
        fx.plan(new Effect.PlanSegments(migration, runId, segments, planId, kind, imagesOf));
    }

    /**
     * Whether the plan is the one its migration waits for; if so, it no longer waits (a plan counts once). A plan
     * this coordinator did not ask for (a stranger's, or asked for by a coordinator before a takeover) is not.
     */
    boolean takePlan(String migration, String planId) {
        return planId.equals(plansAsked.get(migration)) && plansAsked.remove(migration) != null;
    }

    /**
     * A coordinator took over: the statuses are the changelog's, the plans asked for before are forgotten (it asks for
     * them again), and new ids come from {@code seed}.
     */
    void tookOver(List<MigrationStatus> changelog, String seed) {
        view.rebuild(changelog);
        plansAsked.clear();
        ids = RunIds.from(seed);
    }

    StatusView view() {
        return view;
    }

    MigrationCatalog catalog() {
        return catalog;
    }

    Pacing pacing() {
        return pacing;
    }

    /** The input's time, in ms: the only time the rules know. */
    long now() {
        return now;
    }

    /** See {@link MigrationControl#useDatabase}. */
    void useDatabase(String id) {
        this.database = id;
    }

    /** The identity of the database this coordinator works on, or null while it is not known. */
    String database() {
        return database;
    }

    /** Whether the status is of this coordinator's database (or does not say). */
    boolean ours(MigrationStatus st) {
        return database == null || st.run().database() == null || st.run().database().equals(database);
    }

    static boolean isRunOrPaused(MigrationStatus s) {
        return s.state().running() || s.state() == MigrationState.PAUSED;
    }

    /** Writes the status, stamped with the time and this coordinator's database, to the view and the effects. */
    void save(MigrationStatus st, Effects fx) {
        if (database != null && st.run().database() == null) {
            st = st.change().database(database).build();
        }
        MigrationStatus stamped = st.withUpdatedAt(now);
        view.put(stamped);
        fx.status(stamped);
    }

    /** The segments of the run that may have a task in flight now ({@link Pacing#active}). */
    List<SegmentStatus> active(MigrationStatus st) {
        return pacing.active(st);
    }

    /** Hands out a segment's next task, at once or when {@link Pacing#due} says. */
    void emit(MigrationStatus st, SegmentStatus s, Effects fx) {
        emit(st, s, fx, 0);
    }

    /** @param workedMillis how long the segment's last task took ({@link Pacing#due}) */
    void emit(MigrationStatus st, SegmentStatus s, Effects fx, long workedMillis) {
        Task.ProcessBatch t = task(st, s);
        long due = pacing.due(st, s.index(), t.lease(), workedMillis);
        if (due <= now) {
            fx.task(t);
        } else {
            fx.later(t, due);
        }
    }

    private Task.ProcessBatch task(MigrationStatus st, SegmentStatus s) {
        return new Task.ProcessBatch(new BatchKey(st.name(), st.run().runId(), s.index(), s.position()), s.to(),
                st.pace().batchSize(),
                false, pacing.lease(st), catalog.find(st.name()).map(Task::walkOf).orElse(null))
                .withQuarantine(st.run().maxQuarantined() != null).withOnlyQuarantined(st.run().onlyQuarantined())
                .withKind(st.run().kind()).withUndoOf(st.run().undoOf()).withKeepImages(st.run().keepImages());
    }

    /** The state a run of this status's kind fails into: failed, or verifyFailed for a verify. */
    static MigrationState failedState(MigrationStatus st) {
        return st.run().kind() == RunKind.VERIFY ? MigrationState.VERIFY_FAILED : MigrationState.FAILED;
    }

    /**
     * A verify's findings with a slice's added: its count, and its sample while the status's has room (the rest are
     * in {@code keyway_verify}).
     */
    static MigrationStatus.Verification found(MigrationStatus.Verification before, Event.BatchCompleted e) {
        List<Event.DocumentChange> sample = new java.util.ArrayList<>(before.sample());
        e.changes().stream().limit(Math.max(0, MigrationStatus.Verification.MAX_SAMPLE - sample.size()))
                .forEach(sample::add);
        return new MigrationStatus.Verification(before.mismatched() + e.quarantined(), sample);
    }

    /** The fence of a run as its status stands. */
    static RunFence fence(MigrationStatus st, boolean open) {
        List<RunFence.Segment> segs = st.progress().segments().stream()
                .map(s -> new RunFence.Segment(s.index(), s.position(), s.to(), s.done())).toList();
        return new RunFence(st.name(), st.run().runId(), st.pace().batchSize(), open, segs);
    }
}
