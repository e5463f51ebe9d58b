package dev.keyway.batch;

/** What a worker reports about each batch; implementations must be thread-safe. */
public interface BatchObserver {

    /** @param outcome completed, replayed, failed, delayed (a lock timeout), skipped (refused by the fence) or dryRun */
    void batch(String migration, String outcome, int documents, long nanos);

    static BatchObserver none() {
        return (m, o, d, n) -> { };
    }
}
