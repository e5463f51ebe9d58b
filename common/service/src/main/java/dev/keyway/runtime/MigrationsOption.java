package dev.keyway.runtime;

import dev.keyway.migration.MigrationCatalog;
import java.util.Map;

/**
 * Where a service finds the user's migrations: the classpath, and the jars named by {@code --migrations PATH}
 * (a jar, a directory of jars, or several separated by {@code :}), else by {@code KEYWAY_MIGRATIONS}.
 */
public final class MigrationsOption {

    private MigrationsOption() {
    }

    /**
     * The catalog of a service started with these arguments and this environment.
     *
     * @throws IllegalArgumentException when a path cannot be used (see {@link MigrationCatalog#fromClasspathAnd}),
     *     or when no migration is found at all: a coordinator or worker without migrations is a deployment mistake
     */
    public static MigrationCatalog catalog(String[] args, Map<String, String> env) {
        String paths = env.get("KEYWAY_MIGRATIONS");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--migrations")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--migrations needs a path: a jar or a directory of jars");
                }
                paths = args[i + 1];
            } else if (args[i].startsWith("--migrations=")) {
                paths = args[i].substring("--migrations=".length());
            }
        }
        MigrationCatalog catalog = MigrationCatalog.fromClasspathAnd(paths);
        if (catalog.all().isEmpty()) {
            throw new IllegalArgumentException("no migrations found" + (paths == null || paths.isBlank() ? ""
                    : " (no jar in " + paths + ")") + ": give your migrations jar or a directory of jars with"
                    + " --migrations PATH (or KEYWAY_MIGRATIONS), or --examples for the example migrations"
                    + " (docs/WRITING-MIGRATIONS.md)");
        }
        return catalog;
    }
}
