package dev.keyway.coordinator;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads a coordinator works on, kept apart so that one kind of work cannot starve another: deciding what each
 * record does (fences, ledger checks, table checks: short), planning runs (a count and a sample of a large or locked
 * table: up to the statement timeout each) and reading the database's health. With the store's default pool of 4
 * connections, {@link #bounded()} leaves deciding 2 of them whatever planning and health do.
 *
 * @param decisions handles records, one at a time, and publishes paced tasks
 * @param planning plans runs; a coordinator that takes over cancels the plans it did not ask for
 * @param health reads the health signals
 */
public record CoordinatorThreads(Scheduler decisions, Scheduler planning, Scheduler health) {

    /** Everything on one scheduler (tests, and embedding where the caller bounds the work itself). */
    public static CoordinatorThreads shared(Scheduler scheduler) {
        return new CoordinatorThreads(scheduler, scheduler, scheduler);
    }

    /** Two threads deciding, one planning, one reading health; {@link #dispose()} them when the coordinator stops. */
    public static CoordinatorThreads bounded() {
        return new CoordinatorThreads(Schedulers.newBoundedElastic(2, 10_000, "keyway-coordinator"),
                Schedulers.newBoundedElastic(1, 1_000, "keyway-planning"),
                Schedulers.newBoundedElastic(1, 100, "keyway-health"));
    }

    public void dispose() {
        decisions.dispose();
        planning.dispose();
        health.dispose();
    }
}
