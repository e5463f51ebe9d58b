package dev.keyway.coordinator.core;

import dev.keyway.message.MigrationStatus;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the core knows between two inputs, as an immutable value: every migration's latest status (a view of
 * the compacted status topic), how fast each goes ({@link PaceState}), the database this coordinator works on (null
 * while unknown), the plan each migration being planned waits for (migration to plan id), and where the ids of new
 * runs and plans come from ({@link RunIds}). A {@link CoordinatorCore#step step} returns a new one and leaves this
 * one as it was.
 */
public record CoordinatorState(Map<String, MigrationStatus> statuses, PaceState pace, String database,
                               Map<String, String> plansAsked, RunIds ids) {

    public CoordinatorState {
        statuses = Map.copyOf(statuses);
        plansAsked = Map.copyOf(plansAsked);
    }

    /** A coordinator that knows nothing yet, whose ids come from {@code seed}. */
    public static CoordinatorState initial(String seed) {
        return new CoordinatorState(Map.of(), PaceState.initial(), null, Map.of(), RunIds.from(seed));
    }

    public Optional<MigrationStatus> find(String name) {
        return Optional.ofNullable(statuses.get(name));
    }

    public Collection<MigrationStatus> all() {
        return statuses.values();
    }

    /** The statuses of the changelog (in order: the latest per migration wins) in place of those known. */
    public CoordinatorState withStatuses(List<MigrationStatus> changelog) {
        Map<String, MigrationStatus> latest = new LinkedHashMap<>();
        changelog.forEach(s -> latest.put(s.name(), s));
        return new CoordinatorState(latest, pace, database, plansAsked, ids);
    }

    /** One status written (as the status topic would hold it). */
    public CoordinatorState withStatus(MigrationStatus status) {
        Map<String, MigrationStatus> all = new LinkedHashMap<>(statuses);
        all.put(status.name(), status);
        return new CoordinatorState(all, pace, database, plansAsked, ids);
    }

    public CoordinatorState withDatabase(String id) {
        return new CoordinatorState(statuses, pace, id, plansAsked, ids);
    }
}
