package dev.keyway.coordinator.core;

import dev.keyway.message.MigrationStatus;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latest status of every migration: a view of the compacted status topic, which is its changelog.
 * Not thread-safe; the coordinator touches it from one record at a time.
 */
public final class StatusView {

    private final Map<String, MigrationStatus> byName = new HashMap<>();

    /** Replaces the view with the given statuses (the status topic read from the beginning, in order). */
    public void rebuild(List<MigrationStatus> changelog) {
        byName.clear();
        changelog.forEach(s -> byName.put(s.name(), s));
    }

    public Optional<MigrationStatus> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    void put(MigrationStatus s) {
        byName.put(s.name(), s);
    }

    public Collection<MigrationStatus> all() {
        return byName.values();
    }
}
