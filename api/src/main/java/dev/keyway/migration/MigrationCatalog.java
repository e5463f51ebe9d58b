package dev.keyway.migration;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The migrations known to a process, by name. Immutable and thread-safe. */
public final class MigrationCatalog {

    private final Map<String, Migration> byName;

    private MigrationCatalog(Map<String, Migration> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** A catalog of the given migrations; throws on a duplicate name. */
    public static MigrationCatalog of(Collection<Migration> migrations) {
        Map<String, Migration> map = new LinkedHashMap<>();
        for (Migration m : migrations) {
            if (map.putIfAbsent(m.name(), m) != null) {
                throw new IllegalArgumentException("two migrations are named '" + m.name()
                        + "': names must be unique across all MigrationProviders on the classpath");
            }
        }
        return new MigrationCatalog(map);
    }

    /** The migrations of every {@link MigrationProvider} found with {@link ServiceLoader} on the classpath. */
    public static MigrationCatalog fromClasspath() {
        List<Migration> all = new java.util.ArrayList<>();
        for (MigrationProvider p : ServiceLoader.load(MigrationProvider.class)) {
            all.addAll(p.migrations());
        }
        return of(all);
    }

    public Optional<Migration> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Migration> all() {
        return byName.values();
    }
}
