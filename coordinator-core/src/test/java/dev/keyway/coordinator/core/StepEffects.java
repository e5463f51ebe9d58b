package dev.keyway.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** The effects of a core's {@link Step} by type, for the core's tests. */
final class StepEffects {

    private StepEffects() {
    }

    static <T extends Effect> List<T> all(Step step, Class<T> type) {
        return step.effects().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one effect of this type; fails when there is none or more than one. */
    static <T extends Effect> T only(Step step, Class<T> type) {
        List<T> found = all(step, type);
        assertEquals(1, found.size(), step.effects().toString());
        return found.get(0);
    }
}
