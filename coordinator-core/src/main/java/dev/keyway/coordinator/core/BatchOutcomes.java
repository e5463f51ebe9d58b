package dev.keyway.coordinator.core;

import dev.keyway.message.BatchKey;
import dev.keyway.message.DryRunReport;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.FailedBatch;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.SegmentStatus;
import dev.keyway.store.RunFence;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a task's outcome does to its run: a completed one advances its segment's cursor and hands out the segment's
 * next task (or, when every segment is done, completes the run and goes on with its series through
 * {@link RunStarts#succeeded}); a delayed one hands the same task out again; a failed one fails the run; a dry run's
 * outcome becomes its report. An outcome counts only if it is exactly what its segment waits for
 * ({@link #awaits}: run id, segment and cursor), so stale and replayed outcomes are dropped. It writes the statuses
 * and tasks through the {@link RunBook}. Not thread-safe: one record at a time.
 */
final class BatchOutcomes {

    /** The most characters of a delay's reason a segment's status keeps. */
    static final int MAX_REASON = 500;
    /** The most characters of a failed batch's error (and of its document's id) a status keeps, as workers send them. */
    static final int MAX_ERROR = 4_000;

    private final RunBook book;
    private final RunStarts starts;

    BatchOutcomes(RunBook book, RunStarts starts) {
        this.book = book;
        this.starts = starts;
    }

    /** True when the outcome is of the batch a segment waits for: only then does it count. */
    boolean awaits(Event.Outcome o) {
        return book.view().find(o.migration()).flatMap(st -> expected(st, o.key())).isPresent();
    }

    /**
     * A batch of a running migration waited too long for a lock: its segment gets the same task again, and says why
     * (bounded to {@value #MAX_REASON} characters). A delay of a paused or ended run changes nothing: nothing runs.
     */
    void delayed(Event.BatchDelayed e, Effects fx) {
        Optional<MigrationStatus> found = book.view().find(e.migration())
                .filter(st -> st.state().running());
        Optional<SegmentStatus> seg = found.flatMap(st -> expected(st, e.key()));
        if (seg.isEmpty()) {
            return;
        }
        MigrationStatus st = found.get();
        SegmentStatus delayed = seg.get().delayedBy(e.reason() == null ? "a lock wait" : Excerpt.of(e.reason(), MAX_REASON));
        List<SegmentStatus> segs = new ArrayList<>(st.progress().segments());
        segs.set(delayed.index(), delayed);
        MigrationStatus withDelay = st.withSegments(segs);
        MigrationStatus updated = withDelay.change().limitedBy(book.pacing().limitedBy(withDelay)).build();
        // the lock timeout it waited is its backoff: the application keeps the row meanwhile
        book.emit(updated, delayed, fx);
        book.save(updated, fx);
    }

    /**
     * A task went through: its segment advances and gets its next task, or the run completes. The event must carry
     * what the ledger recorded for its batch (see {@link MigrationControl#onEvent}).
     */
    void completed(Event.BatchCompleted e, Effects fx) {
        Optional<MigrationStatus> found = book.view().find(e.migration());
        if (found.isEmpty()) {
            return;
        }
        MigrationStatus st = found.get();
        if (e.dryRun()) {
            if (e.key().runId().equals(st.dryRuns().pending())) {
                fx.fence(RunFence.dryRun(st.name(), e.key().runId(), e.key().cursor(), 0, false));
                book.save(st.withDryRun(null, new DryRunReport(book.now(), e.key().cursor(), e.processed(),
                        e.nextCursor(), e.changes(), null, e.omitted())), fx);
            }
            return;
        }
        Optional<SegmentStatus> seg = expected(st, e.key());
        if (seg.isEmpty()) {
            return;
        }
        SegmentStatus advanced = seg.get().advancedTo(e.nextCursor(), e.processed(), e.done());
        List<SegmentStatus> segs = new ArrayList<>(st.progress().segments());
        segs.set(advanced.index(), advanced);
        List<Integer> wereActive = book.active(st).stream().map(SegmentStatus::index).toList();
        book.pacing().outcome(st, e.key().segment(), e.processed(), e.done());
        st = st.withSegments(segs);
        if (e.quarantined() > 0 && st.run().kind() == RunKind.UNDO) {
            st = st.change().conflicts(st.progress().conflicts() + e.quarantined()).build();
        } else if (e.quarantined() > 0 && st.run().kind() == RunKind.VERIFY) {
            st = st.change().verification(RunBook.found(st.verification(), e)).build();
        } else if (e.quarantined() > 0) {
            st = st.change().quarantined(st.progress().quarantined() + e.quarantined()).build();
            if (st.state().running() && overQuarantineLimit(st)) {
                book.save(st.withState(MigrationState.FAILED, quarantineError(st, e), book.now()), fx);
                return;
            }
        }
        if (st.state() == RunBook.failedState(st) && st.failure().batch() != null
                && st.failure().batch().segment() == e.key().segment()) {
            // the failed batch was replayed (offset reset or retry) and went through: carry on
            st = st.withState(st.run().kind().running(), null, null).withFailedBatch(null);
            for (SegmentStatus other : book.active(st)) {
                if (other.index() != e.key().segment()) {
                    book.emit(st, other, fx);
                }
            }
        }
        if (st.state().running()) {
            if (st.progress().segments().stream().allMatch(SegmentStatus::done)) {
                starts.succeeded(st, fx);
                return;
            }
            List<SegmentStatus> active = book.active(st);
            if (!advanced.done() && active.stream().anyMatch(a -> a.index() == advanced.index())) {
                book.emit(st, advanced, fx, e.millis());
            }
            // under maxConcurrency, a segment that finished makes way for the next one (and one that is no longer
            // among the first after a configure waits for its turn)
            for (SegmentStatus next : active) {
                if (!wereActive.contains(next.index()) && next.index() != advanced.index()) {
                    book.emit(st, next, fx);
                }
            }
            st = st.change().limitedBy(book.pacing().limitedBy(st)).build();
        }
        book.save(st, fx);
    }

    private static boolean overQuarantineLimit(MigrationStatus st) {
        Long max = st.run().maxQuarantined();
        return max != null && st.progress().quarantined() > max;
    }

    /** Why a run that set aside more documents than it may fails, naming the latest of them. */
    private static String quarantineError(MigrationStatus st, Event.BatchCompleted e) {
        return Excerpt.of(st.progress().quarantined() + " documents quarantined, over the run's limit of "
                + st.run().maxQuarantined() + " (maxQuarantined); the latest: " + String.join(", ", e.quarantinedIds())
                + ". List them with: bin/migrate quarantine " + st.name() + "; fix the data or the migration, then run"
                + " it again (it resumes; --max-quarantined N raises the limit)", MAX_ERROR);
    }

    /** A batch failed: its run fails, keeping the batch to replay; a dry run's failure becomes its report. */
    void failed(Event.BatchFailed e, Effects fx) {
        Optional<MigrationStatus> found = book.view().find(e.migration());
        if (found.isEmpty()) {
            return;
        }
        MigrationStatus st = found.get();
        if (e.key().runId().equals(st.dryRuns().pending())) {
            fx.fence(RunFence.dryRun(st.name(), e.key().runId(), e.key().cursor(), 0, false));
            book.save(st.withDryRun(null, new DryRunReport(book.now(), e.key().cursor(), 0, null, List.of(),
                    Excerpt.of(String.valueOf(e.error()), MAX_ERROR))), fx);
            return;
        }
        if (expected(st, e.key()).isEmpty() || !st.state().running()) {
            return;
        }
        String documentId = e.documentId() == null ? null : Excerpt.of(e.documentId(), MAX_ERROR);
        book.save(st.withState(RunBook.failedState(st), Excerpt.of(String.valueOf(e.error()), MAX_ERROR), book.now())
                .withFailedBatch(new FailedBatch(e.key().segment(), e.key().cursor(), documentId, e.task())), fx);
    }

    /** The segment an outcome is for, if it is exactly what the status waits for. */
    private static Optional<SegmentStatus> expected(MigrationStatus st, BatchKey batch) {
        if (!batch.runId().equals(st.run().runId()) || batch.segment() < 0
                || batch.segment() >= st.progress().segments().size()) {
            return Optional.empty();
        }
        SegmentStatus s = st.progress().segments().get(batch.segment());
        return !s.done() && Objects.equals(s.position(), batch.cursor()) ? Optional.of(s) : Optional.empty();
    }
}
