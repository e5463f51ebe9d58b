package dev.keyway.coordinator.core;

import dev.keyway.message.MigrationStatus;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latest status of every migration, as the rules of one input see and change it: a working copy of the
 * {@link CoordinatorState}'s statuses, handed back as a new map ({@link #snapshot}); the state it came from is left as
 * it was. Not thread-safe: one input at a time.
 */
final class StatusView {

    private final Map<String, MigrationStatus> from;
    private final Map<String, MigrationStatus> byName;
    private boolean changed;

    StatusView(Map<String, MigrationStatus> from) {
        this.from = from;
        this.byName = new HashMap<>(from);
    }

    /** Replaces the view with the given statuses (the status topic read from the beginning, in order). */
    void rebuild(List<MigrationStatus> changelog) {
        byName.clear();
        changelog.forEach(s -> byName.put(s.name(), s));
        changed = true;
    }

    Optional<MigrationStatus> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    void put(MigrationStatus s) {
        byName.put(s.name(), s);
        changed = true;
    }

    Collection<MigrationStatus> all() {
        return byName.values();
    }

    /** The statuses now: the map it came from when nothing changed. */
    Map<String, MigrationStatus> snapshot() {
        return changed ? Map.copyOf(byName) : from;
    }
}
