package dev.keyway.coordinator.core;

import java.util.List;

/** What one input did: the state after it, and the effects for the shell to carry out, in order. */
public record Step(CoordinatorState state, List<Effect> effects) {

    public Step {
        effects = List.copyOf(effects);
    }
}
