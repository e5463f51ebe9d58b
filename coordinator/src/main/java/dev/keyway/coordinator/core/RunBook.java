package dev.keyway.coordinator.core;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.Task;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.RunFence;
import java.time.Clock;
import java.util.List;

/**
 * What the coordinator's rules ({@link RunStarts}, {@link OperatorCommands}, {@link BatchOutcomes}) share: the
 * statuses ({@link StatusView}), the migrations this coordinator defines, its clock, how fast each migration goes
 * ({@link Pacing}) and the database it works on; and the three ways a rule writes: it saves a status, hands out a
 * segment's next task, or asks for a run's fence, always into the {@link Effects} of the record being handled. A
 * saved status is in the view at once, so a later rule of the same record sees it.
 *
 * <p>Not thread-safe: one record at a time. Only the database's identity may be set from another thread
 * ({@link #useDatabase}), once, before or between records.
 */
final class RunBook {

    private final StatusView view;
    private final MigrationCatalog catalog;
    private final Clock clock;
    private final Pacing pacing;

    /** The identity of the database this coordinator works on, once known ({@link #useDatabase}). */
    private volatile String database;

    RunBook(StatusView view, MigrationCatalog catalog, Clock clock, Pacing pacing) {
        this.view = view;
        this.catalog = catalog;
        this.clock = clock;
        this.pacing = pacing;
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

    /** The coordinator's clock, in ms: the only time the rules read. */
    long now() {
        return clock.millis();
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
        return database == null || st.database() == null || st.database().equals(database);
    }

    static boolean isRunOrPaused(MigrationStatus s) {
        return s.state() == MigrationState.IN_PROGRESS || s.state() == MigrationState.PAUSED;
    }

    /** Writes the status, stamped with the time and this coordinator's database, to the view and the effects. */
    void save(MigrationStatus st, Effects fx) {
        if (database != null && st.database() == null) {
            st = st.change().database(database).build();
        }
        MigrationStatus stamped = st.withUpdatedAt(clock.millis());
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
        if (due <= clock.millis()) {
            fx.task(t);
        } else {
            fx.later(t, due);
        }
    }

    private Task.ProcessBatch task(MigrationStatus st, SegmentStatus s) {
        return new Task.ProcessBatch(st.name(), st.runId(), s.index(), s.position(), s.to(), st.batchSize(), false,
                pacing.lease(st), catalog.find(st.name()).map(Task::walkOf).orElse(null));
    }

    /** The fence of a run as its status stands. */
    static RunFence fence(MigrationStatus st, boolean open) {
        List<RunFence.Segment> segs = st.segments().stream()
                .map(s -> new RunFence.Segment(s.index(), s.position(), s.to(), s.done())).toList();
        return new RunFence(st.name(), st.runId(), st.batchSize(), open, segs);
    }
}
