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
        return fromClasspathAnd(null);
    }

    /**
     * The migrations of the classpath and of the user's jars: {@code paths} lists jars and directories of jars,
     * separated by the platform's path separator ({@code :} on Linux). Each jar is loaded in a class loader of
     * its own under this one (so a jar sees the API and Jackson, and its own classes); it must declare at least one
     * {@link MigrationProvider} in {@code META-INF/services/dev.keyway.migration.MigrationProvider}. Throws
     * {@link IllegalArgumentException}, naming the path, for a path that does not exist, a jar without a provider,
     * and a name that two places define. A directory without jars adds nothing (a deploy directory before the
     * first jar): whether a process without migrations may start is its own decision.
     */
    public static MigrationCatalog fromClasspathAnd(String paths) {
        List<Migration> all = new java.util.ArrayList<>();
        Map<String, String> whereDefined = new LinkedHashMap<>();
        for (MigrationProvider p : ServiceLoader.load(MigrationProvider.class)) {
            for (Migration m : p.migrations()) {
                whereDefined.putIfAbsent(m.name(), "the classpath (" + p.getClass().getName() + ")");
                all.add(m);
            }
        }
        for (java.nio.file.Path jar : jars(paths)) {
            java.net.URLClassLoader loader;
            try {
                loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
                        MigrationCatalog.class.getClassLoader());
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("cannot load migrations from " + jar + ": " + e.getMessage(), e);
            }
            int found = 0;
            for (MigrationProvider p : providers(loader, jar)) {
                if (p.getClass().getClassLoader() != loader) {
                    continue; // one of the classpath's, found again through the parent
                }
                found++;
                for (Migration m : migrationsOf(p, jar)) {
                    String before = whereDefined.putIfAbsent(m.name(), jar.toString());
                    if (before != null) {
                        throw new IllegalArgumentException("two places define a migration named '" + m.name() + "': "
                                + before + " and " + jar + "; names must be unique: rename one, or deploy one of them");
                    }
                    all.add(m);
                }
            }
            if (found == 0) {
                throw new IllegalArgumentException(jar + " has no MigrationProvider: list your provider class in"
                        + " META-INF/services/dev.keyway.migration.MigrationProvider inside the jar");
            }
        }
        return of(all);
    }

    /** The providers a jar's services file names; throws, naming the jar, when one cannot be loaded or made. */
    private static List<MigrationProvider> providers(ClassLoader loader, java.nio.file.Path jar) {
        List<MigrationProvider> providers = new java.util.ArrayList<>();
        try {
            ServiceLoader.load(MigrationProvider.class, loader).forEach(providers::add);
        } catch (java.util.ServiceConfigurationError e) {
            Throwable cause = e.getCause() instanceof ExceptionInInitializerError && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new IllegalArgumentException(jar + ": META-INF/services/dev.keyway.migration.MigrationProvider names a"
                    + " provider that cannot be used: " + e.getMessage() + (cause == null ? "" : ": " + cause)
                    + ". A provider must be a public class of the jar, listed by its full name, with a public"
                    + " constructor without arguments that does not throw", e);
        }
        return providers;
    }

    /** A provider's migrations; a definition that breaks a rule is reported naming the jar. */
    private static List<Migration> migrationsOf(MigrationProvider p, java.nio.file.Path jar) {
        try {
            return p.migrations();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(jar + ": " + p.getClass().getName() + ".migrations() failed: " + e, e);
        }
    }

    /** The jars that {@code paths} lists, directories expanded to the jars in them, in name order. */
    private static List<java.nio.file.Path> jars(String paths) {
        List<java.nio.file.Path> jars = new java.util.ArrayList<>();
        if (paths == null || paths.isBlank()) {
            return jars;
        }
        for (String entry : paths.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            java.nio.file.Path p = java.nio.file.Path.of(entry.trim());
            if (java.nio.file.Files.isDirectory(p)) {
                try (java.util.stream.Stream<java.nio.file.Path> in = java.nio.file.Files.list(p)) {
                    jars.addAll(in.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList());
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("cannot list the migrations directory " + p + ": " + e.getMessage(), e);
                }
            } else if (java.nio.file.Files.isRegularFile(p)) {
                jars.add(p);
            } else {
                throw new IllegalArgumentException("the migrations path " + p + " does not exist: give a jar or a"
                        + " directory of jars (--migrations, KEYWAY_MIGRATIONS)");
            }
        }
        return jars;
    }

    public Optional<Migration> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Migration> all() {
        return byName.values();
    }
}
