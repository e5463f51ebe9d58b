package dev.keyway.coordinator;

import dev.keyway.coordinator.core.Effect;

/**
 * What a coordinator tells whoever watches it (its metrics) as it happens. Called on the thread that handles
 * records, while the coordinator holds its lock: an implementation must be cheap and never block.
 */
public interface CoordinatorObserver {

    /** The core dropped a record of this kind (a stale or forged outcome, a plan not asked for, ...). */
    void dropped(Effect.Kind kind);

    /** An observer that ignores everything. */
    static CoordinatorObserver none() {
        return kind -> {
        };
    }
}
