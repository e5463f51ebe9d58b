package dev.keyway.coordinator.core;

import dev.keyway.message.Lease;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How fast each migration goes, for {@link MigrationControl}: which of its segments may have a task in flight,
 * how many batches a task walks, and when a segment's next task is due. It keeps what the limits and the health
 * watch decided: each rate-limited migration's next slot, the watch's share of working time, and the runs that
 * start slowly. A working copy of a {@link PaceState}, made for one input at that input's time and handed back as a
 * new {@link PaceState} ({@link #snapshot}). Not thread-safe: used by the state machine, one input at a time.
 */
final class Pacing {

    /** The most batches one task walks (each its own transaction and ledger entry; one outcome for all). */
    static final int BATCHES_PER_TASK = 100;
    /** Under a rate limit, a migration's tasks together walk at most about this long's worth of its rows. */
    static final long PACE_WINDOW_MS = 1_000;
    /** The rows a worker's first batch sized by time walks (it grows or shrinks from there). */
    static final int FIRST_TIMED_BATCH = 100;
    /** The longest rest after a task when slowed down. */
    static final long MAX_REST_MS = 10_000;

    /** The time of the input being handled. */
    private final long now;
    private final boolean slowStart;
    // what each map holds: PaceState's components of the same names
    private final Map<String, Long> nextSlot;
    private final Map<String, PaceState.Charge> charged;
    private final Map<String, Double> rowsPerBatch;
    private final Map<String, Boolean> waitedForRate;
    private final Map<String, Long> scheduled;
    private final Map<String, Integer> ramp;
    private int duty;

    /**
     * @param now the time of the input being handled
     * @param slowStart whether a new run starts with one segment and adds one with each task outcome until all go
     *     on (TCP's slow start), so that health signals can speak before the whole run hits the database
     */
    Pacing(PaceState from, long now, boolean slowStart) {
        this.now = now;
        this.slowStart = slowStart;
        this.nextSlot = new HashMap<>(from.nextSlot());
        this.charged = new HashMap<>(from.charged());
        this.rowsPerBatch = new HashMap<>(from.rowsPerBatch());
        this.waitedForRate = new HashMap<>(from.waitedForRate());
        this.scheduled = new HashMap<>(from.scheduled());
        this.ramp = new HashMap<>(from.ramp());
        this.duty = from.duty();
    }

    /** What this working copy holds now, as a value. */
    PaceState snapshot() {
        return new PaceState(nextSlot, charged, rowsPerBatch, waitedForRate, scheduled, ramp, duty);
    }

    /** The health watch's share of working time, 1 to 100; below 100 ends every slow start (the share decides). */
    void share(int percent) {
        duty = percent;
        if (duty < 100) {
            ramp.clear();
        }
    }

    /** A run starts: with one segment if it starts slowly. */
    void started(MigrationStatus st) {
        if (slowStart && st.progress().segments().size() > 1) {
            ramp.put(st.name(), 1);
        } else {
            ramp.remove(st.name());
        }
    }

    /**
     * A task of the run came back having processed {@code processed} rows: a run starting slowly may have one more
     * segment going; under a rate limit, the migration's next slot moves by the rows the task processed against the
     * rows it was charged for (a batch sized by time walks fewer rows than the batch size, or more than guessed).
     */
    void outcome(MigrationStatus st, int segment, long processed, boolean done) {
        int segments = st.progress().segments().size();
        ramp.computeIfPresent(st.name(), (name, n) -> n + 1 >= segments ? null : n + 1);
        scheduled.remove(st.name() + "/" + segment);
        PaceState.Charge c = charged.remove(st.name() + "/" + segment);
        Integer rate = rate(st);
        if (c == null || rate == null) {
            return;
        }
        nextSlot.computeIfPresent(st.name(), (name, slot) -> slot + (processed - c.rows()) * 1000L / rate);
        if (!done && processed > 0) {
            double seen = (double) processed / c.batches();
            // weighted to the latest: batches sized by time grow slowly while they run short
            rowsPerBatch.merge(st.name(), seen, (was, now) -> was / 4 + now * 3 / 4);
        }
    }

    /** The migration's limits changed: its rate slots start again (what its batches walk is still known). */
    void reconfigured(String name) {
        nextSlot.remove(name);
        charged.keySet().removeIf(k -> k.startsWith(name + "/"));
    }

    /** A coordinator took over: what the one before it had scheduled is gone. */
    void reset() {
        nextSlot.clear();
        ramp.clear();
        charged.clear();
        waitedForRate.clear();
        scheduled.clear();
    }

    /**
     * Whether the segment's next task waits for its slot, not yet handed out: new limits may hand it out sooner
     * (the coordinator drops a scheduled task when it hands out another for the same segment).
     */
    boolean waitsForSlot(MigrationStatus st, int segment) {
        return scheduled.getOrDefault(st.name() + "/" + segment, Long.MIN_VALUE) > now;
    }

    /**
     * The segments that may have a task in flight: the first {@code maxConcurrency} not done (all without it);
     * slowed down by the health watch, that share of them (at least one); starting slowly, as many as the ramp says.
     */
    List<SegmentStatus> active(MigrationStatus st) {
        List<SegmentStatus> open = st.progress().segments().stream().filter(s -> !s.done()).toList();
        int allowed = allowed(st, open.size());
        int going = Math.min(allowed, Math.min(concurrency(allowed), ramp.getOrDefault(st.name(), Integer.MAX_VALUE)));
        return open.subList(0, going);
    }

    /**
     * The batches one task may walk: up to {@value #BATCHES_PER_TASK} (a worker also ends a slice after about a
     * second); slowed down below one segment's share, fewer, so that work and rest alternate often; under a rate
     * limit, about {@value #PACE_WINDOW_MS} ms of the migration's rows shared by its going segments.
     */
    Lease lease(MigrationStatus st) {
        Integer target = st.pace().limits() == null ? null : st.pace().limits().targetBatchMillis();
        Integer rate = st.pace().limits() == null ? null : st.pace().limits().maxRowsPerSecond();
        int segmentDuty = segmentDuty(st);
        int batches = segmentDuty < 100 ? Math.max(1, BATCHES_PER_TASK * segmentDuty / 1000) : BATCHES_PER_TASK;
        if (rate != null) {
            long going = Math.max(1, active(st).size());
            batches = (int) Math.max(1, Math.min(batches, rate * PACE_WINDOW_MS / 1000 / rowsPerBatch(st) / going));
        }
        return new Lease(batches, target == null ? 0 : target);
    }

    /**
     * The rows a batch of the migration is expected to walk: the batch size, or for batches sized by time what its
     * outcomes showed (at first the worker's starting size, {@value #FIRST_TIMED_BATCH} rows, at most the batch size).
     */
    private double rowsPerBatch(MigrationStatus st) {
        boolean timed = st.pace().limits() != null && st.pace().limits().targetBatchMillis() != null;
        if (!timed) {
            return st.pace().batchSize();
        }
        return Math.max(1, Math.min(st.pace().batchSize(), rowsPerBatch.getOrDefault(st.name(),
                (double) Math.min(st.pace().batchSize(), FIRST_TIMED_BATCH))));
    }

    /**
     * When a segment's next task is due: now; later by a rest when slowed down below one segment's share
     * ({@code workedMillis * (100 - d) / d}, d being the segment's own share, at most {@value #MAX_REST_MS} ms);
     * under a rate limit, at the migration's next free slot (slots are the rows a task may process / rate apart).
     *
     * @param workedMillis how long the segment's last task took (0 for a first task)
     */
    long due(MigrationStatus st, int segment, Lease lease, long workedMillis) {
        int segmentDuty = segmentDuty(st);
        long rest = segmentDuty < 100
                ? Math.min(MAX_REST_MS, Math.max(0, workedMillis) * (100 - segmentDuty) / segmentDuty) : 0;
        long due = now + rest;
        Integer rate = rate(st);
        if (rate != null) {
            long slot = Math.max(due, nextSlot.getOrDefault(st.name(), now));
            long rows = Math.max(1, Math.round(lease.batches() * rowsPerBatch(st)));
            charged.put(st.name() + "/" + segment, new PaceState.Charge(rows, lease.batches()));
            nextSlot.put(st.name(), slot + Math.max(1, rows * 1000L / rate));
            waitedForRate.put(st.name(), slot > due);
            due = slot;
        } else {
            waitedForRate.remove(st.name());
        }
        if (due > now) {
            scheduled.put(st.name() + "/" + segment, due);
        } else {
            scheduled.remove(st.name() + "/" + segment);
        }
        return due;
    }

    /**
     * Why the running migration goes no faster, for its status ({@code limitedBy}): a health signal, lock waits, its
     * rate limit (its latest task waited for a slot), a slow start, its concurrency limit, or else the workers and
     * the database themselves (every segment that may go on has its task).
     */
    String limitedBy(MigrationStatus st) {
        if (st.pace().throttledBy() != null) {
            return "health: " + st.pace().throttledBy();
        }
        List<SegmentStatus> open = st.progress().segments().stream().filter(s -> !s.done()).toList();
        long delayed = open.stream().filter(s -> s.delayedBy() != null).count();
        if (delayed > 0) {
            return "lock waits: " + delayed + " segment(s) waited for rows the application held";
        }
        if (waitedForRate.getOrDefault(st.name(), false)) {
            return "rate: at most " + rate(st) + " rows/s";
        }
        int going = active(st).size();
        if (ramp.containsKey(st.name())) {
            return "slow start: " + going + " of " + open.size() + " segments so far";
        }
        if (going < open.size()) {
            return "concurrency: " + going + " of " + open.size() + " segments at once";
        }
        return "workers and database: each of the " + going + " open segment(s) has a task";
    }

    private static Integer rate(MigrationStatus st) {
        return st.pace().limits() == null ? null : st.pace().limits().maxRowsPerSecond();
    }

    private static int allowed(MigrationStatus st, long open) {
        Integer max = st.pace().limits() == null ? null : st.pace().limits().maxConcurrency();
        return (int) (max == null ? open : Math.min(max, open));
    }

    /** How many of {@code allowed} segments go on at the health watch's share of the time. */
    private int concurrency(int allowed) {
        return duty >= 100 ? allowed : (int) Math.max(1, Math.round(allowed * duty / 100.0));
    }

    /**
     * The share of the time each going segment works (100 = no rest): when the watch's share is below what one
     * segment of the migration's allowed ones stands for, the one left going rests too.
     */
    private int segmentDuty(MigrationStatus st) {
        if (duty >= 100) {
            return 100;
        }
        int allowed = Math.max(1, allowed(st, st.progress().segments().stream().filter(s -> !s.done()).count()));
        return (int) Math.min(100, Math.max(1, (long) duty * allowed / concurrency(allowed)));
    }
}
