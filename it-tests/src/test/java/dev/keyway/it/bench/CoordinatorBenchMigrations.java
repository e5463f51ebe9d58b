package dev.keyway.it.bench;

import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationProvider;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The coordinator benchmark's migrations, {@code coordBench000} and on over the table {@code coordbench}: as many as
 * the environment's {@value #COUNT_ENV} says, none without it (so the other tests' services, which find this provider
 * on the same classpath, define none). Their {@code migrateOne} is never called: the benchmark's workers are simulated
 * ({@link SimulatedWorkers}).
 */
public final class CoordinatorBenchMigrations implements MigrationProvider {

    /** How many migrations to define. */
    static final String COUNT_ENV = "KEYWAY_COORDINATOR_BENCH_MIGRATIONS";
    /** Every name starts with this. */
    static final String PREFIX = "coordBench";
    /** The table they walk: planned (its rows counted, split points sampled), never changed. */
    static final String TABLE = "coordbench";

    static String name(int i) {
        return String.format("%s%03d", PREFIX, i);
    }

    @Override
    public List<Migration> migrations() {
        String count = System.getenv(COUNT_ENV);
        int n = count == null || count.isBlank() ? 0 : Integer.parseInt(count.trim());
        return IntStream.range(0, n).mapToObj(i -> Migration.define(name(i), TABLE, (ctx, doc) -> {
            throw new IllegalStateException(name(i) + " is the coordinator benchmark's: its workers are simulated");
        })).toList();
    }
}
