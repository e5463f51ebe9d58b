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

    /** The catalog of a service started with these arguments and this environment. */
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
        return MigrationCatalog.fromClasspathAnd(paths);
    }
}
