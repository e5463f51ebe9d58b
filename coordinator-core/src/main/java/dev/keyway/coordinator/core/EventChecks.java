package dev.keyway.coordinator.core;

import dev.keyway.message.BatchKey;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.store.RunFence;
import dev.keyway.store.SliceProgress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the core takes of a worker's word, or a stranger's, before the rules see it: the events topic is writable by
 * more than this coordinator's workers and watch. A plan it did not ask for, a health word of another watch and a
 * skipped task change nothing; a delay counts only if the database's fence holds its segment open at its cursor; a
 * completed task counts only as the ledger recorded it. What it must know of the database it asks for as an
 * {@link Effect} and takes back as an {@link Input}. Made for one input; not thread-safe.
 */
final class EventChecks {

    /** The most characters of a record the shell's log shows. */
    static final int MAX_LOGGED = 500;

    private final RunBook book;
    private final MigrationControl control;
    private final String healthWatchId;

    EventChecks(RunBook book, MigrationControl control, String healthWatchId) {
        this.book = book;
        this.control = control;
        this.healthWatchId = healthWatchId;
    }

    /** An event from the events topic: checked, asked about, or handed to the rules. */
    void received(Event e, Effects fx) {
        if (e instanceof Event.RunPlanned p) {
            if (!book.takePlan(p.migration(), p.planId())) {
                fx.note(new Effect.Dropped(Effect.Kind.UNASKED_PLAN, Effect.Level.WARN, "a runPlanned for " + Excerpt.of(p.migration(), 60)
                        + ": this coordinator did not ask for it"));
                return;
            }
        } else if (e instanceof Event.HealthChanged h && !h.watchId().equals(healthWatchId)) {
            fx.note(new Effect.Dropped(Effect.Kind.OTHER_WATCH, Effect.Level.DEBUG, "a healthChanged of another watch"));
            return;
        } else if (e instanceof Event.BatchSkipped skipped) {
            fx.note(new Effect.Dropped(Effect.Kind.SKIPPED, Effect.Level.INFO, "a batchSkipped: a worker skipped a task: "
                    + Excerpt.of(skipped.key() + ": " + skipped.reason(), MAX_LOGGED)));
            return;
        } else if (e instanceof Event.BatchDelayed delayed && control.awaits(delayed)) {
            fx.ask(new Effect.ReadFence(delayed));
            return;
        } else if (e instanceof Event.BatchCompleted done && !done.dryRun() && control.awaits(done)) {
            fx.ask(new Effect.ReadLedger(done, false));
            return;
        } else if (e instanceof Event.Outcome o && !ofADryRun(o) && !control.awaits(o)) {
            // a redelivered task's second outcome, one of a run paused, canceled or started over: normal, and counted
            fx.note(new Effect.Dropped(Effect.Kind.STALE, Effect.Level.DEBUG, "a stale outcome for " + Excerpt.of(
                    o.key().toString(), MAX_LOGGED) + ": its segment no longer waits for that batch"));
            return;
        }
        control.onEvent(e, fx);
    }

    /** Whether an outcome is of a dry run: those answer the dry run, not a segment's cursor. */
    private boolean ofADryRun(Event.Outcome o) {
        return o instanceof Event.BatchCompleted c && c.dryRun() || book.view().find(o.migration())
                .map(st -> o.key().runId().equals(st.dryRuns().pending())).orElse(false);
    }

    /**
     * The database's fence of a delayed batch's migration: the delay counts only if the fence holds its segment open,
     * for its run, at its cursor: only then did the batch not apply and may it run again. A delay is a worker's word,
     * and creates work; the fence confirms it.
     */
    void fenceRead(Effect.ReadFence asked, Optional<RunFence> fence, Effects fx) {
        Event.BatchDelayed d = asked.delayed();
        BatchKey batch = d.key();
        boolean waits = fence.filter(f -> f.runId().equals(batch.runId()) && f.open()).stream()
                .flatMap(f -> f.segments().stream())
                .anyMatch(s -> s.index() == batch.segment() && !s.done() && Objects.equals(s.position(),
                        batch.cursor()));
        if (!waits) {
            fx.note(new Effect.Dropped(Effect.Kind.FORGED, Effect.Level.WARN, "a batchDelayed for " + Excerpt.of(d.migration() + " segment "
                    + batch.segment(), MAX_LOGGED) + ": the fence does not hold that segment open at that cursor (stale, or"
                    + " forged?)"));
            return;
        }
        control.onEvent(d, fx);
    }

    /**
     * The ledger's chain from a claimed batch: the outcome counts as the chain recorded it, the batches chained from
     * the task's cursor up to where the outcome says the slice ended; a claim past what the ledger holds counts only
     * as far as the ledger goes, and one the ledger does not know (forged) not at all. A batch a closed fence moved
     * past counts likewise, before (or instead of) its worker's outcome.
     */
    void ledgerRead(Effect.ReadLedger asked, List<dev.keyway.store.LedgerEntry> chain, Effects fx) {
        Event.BatchCompleted c = asked.claim();
        Optional<SliceProgress> slice = SliceProgress.of(chain);
        if (slice.isEmpty()) {
            if (!asked.waitedForByFence()) {
                fx.note(new Effect.Dropped(Effect.Kind.FORGED, Effect.Level.WARN, "a batchCompleted for " + Excerpt.of(c.key().toString(),
                        MAX_LOGGED) + ": the ledger has no such batch (forged?)"));
            }
            return;
        }
        if (!asked.waitedForByFence()) {
            fx.note(new Effect.BatchesTimed(c.millis(), slice.get().batches()));
        }
        control.onEvent(new Event.BatchCompleted(c.key(), slice.get().nextCursor(), (int) slice.get().processed(),
                slice.get().done(), c.replayed(), false, c.changes(), 0, c.millis(), c.worker(),
                (int) slice.get().quarantined(), c.quarantinedIds()), fx);
    }

    /**
     * A fence written: when it closed a run (a pause, a cancel), the batches it waited for applied what the ledger
     * shows, one outcome per segment whose position the written fence moved past the asked one. Their workers'
     * outcomes come later (and are then stale, so dropped), or never: a worker whose partitions a rebalance took while
     * its batch ran cannot publish its outcome, and a closed run hands out no task that would replay it. Counted only
     * if the status still waits at that position, as for any outcome.
     */
    void fenceWritten(RunFence asked, RunFence written, Effects fx) {
        if (written.open() || asked.isDryRun()) {
            return;
        }
        for (int i = 0; i < asked.segments().size() && i < written.segments().size(); i++) {
            RunFence.Segment from = asked.segments().get(i);
            RunFence.Segment to = written.segments().get(i);
            if (!Objects.equals(from.position(), to.position())) {
                BatchKey moved = new BatchKey(asked.migration(), asked.runId(), from.index(), from.position());
                fx.ask(new Effect.ReadLedger(new Event.BatchCompleted(moved, to.position(), 0, to.done(), false, false,
                        List.of(), 0, "the fence"), true));
            }
        }
    }
}
