package dev.keyway.migration;

import java.util.List;

/**
 * The service-provider interface through which the coordinator and the workers find the user's
 * migrations: list an implementation in
 * {@code META-INF/services/dev.keyway.migration.MigrationProvider} of your jar and put the jar on
 * their classpath.
 */
public interface MigrationProvider {

    /** The migrations this jar defines. Names must be unique across all providers. */
    List<Migration> migrations();
}
