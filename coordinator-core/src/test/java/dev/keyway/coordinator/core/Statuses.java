package dev.keyway.coordinator.core;

import dev.keyway.message.MigrationStatus;
import java.util.Collection;
import java.util.Optional;

/**
 * The state the {@link CoreDriver}s of a test share (one coordinator after another on the same status topic), and
 * what the test reads of it: the statuses.
 */
final class Statuses {

    CoordinatorState state = CoordinatorState.initial("test");

    Optional<MigrationStatus> find(String name) {
        return state.find(name);
    }

    Collection<MigrationStatus> all() {
        return state.all();
    }

    /** A status on the topic, as if a coordinator had written it. */
    void put(MigrationStatus status) {
        state = state.withStatus(status);
    }
}
