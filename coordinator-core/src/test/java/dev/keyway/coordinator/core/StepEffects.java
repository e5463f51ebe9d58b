package dev.keyway.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import java.util.List;
import java.util.Optional;

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

    /** The command at time 1000, asked about its tables and answered that they can be walked. */
    static Step command(CoordinatorCore core, CoordinatorState state, Command.Run run) {
        Step asked = core.step(state, new Input.CommandReceived(run, 1000));
        List<Effect.CheckTables> check = all(asked, Effect.CheckTables.class);
        return check.isEmpty() ? asked : core.step(asked.state(), new Input.TablesChecked(check.get(0),
                List.of(Optional.empty()), List.of(), 1000));
    }

    /** The step's answer: "accepted: ACTION" or "rejected: REASON". */
    static String answer(Step step) {
        Event e = only(step, Effect.Answer.class).event();
        return e instanceof Event.CommandRejected r ? "rejected: " + r.reason() : "accepted: "
                + ((Event.CommandAccepted) e).action();
    }
}
