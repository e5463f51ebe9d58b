package dev.keyway.migration;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A migration definition: a table, a {@link MigrateOne} function and its options. Immutable;
 * {@code withX(..)} returns a changed copy.
 *
 * <pre>{@code
 * Migration setDefaultValue = Migration.define("setDefaultValue", "users", (ctx, user) ->
 *         user.has("role") ? null : ctx.newObject().put("role", "user"))
 *     .withBatchSize(500);
 * }</pre>
 *
 * @param name unique name, the {@code fn} of run commands: letters, digits, {@code _ - . :}
 * @param table the table to walk
 * @param migrateOne the per-document function
 * @param batchSize documents per batch (one database transaction), 1 to {@value #MAX_BATCH_SIZE};
 *     default {@value #DEFAULT_BATCH_SIZE}
 * @param parallelize run {@code migrateOne} concurrently within a batch; default false
 * @param customRange the subset of the table to walk; {@code null} for the whole table
 * @param segments how many segments (parallel cursor chains) to split the key range into;
 *     0 (the default) lets the coordinator choose from the table size
 */
public record Migration(
        String name,
        String table,
        MigrateOne migrateOne,
        int batchSize,
        boolean parallelize,
        CustomRange customRange,
        int segments) {

    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int MAX_BATCH_SIZE = 10_000;
    public static final int MAX_SEGMENTS = 256;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,200}");

    public Migration {
        Objects.requireNonNull(name, "name must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name must be 1-200 letters, digits or _ - . :, but was '" + name + "'");
        }
        Objects.requireNonNull(table, "table must not be null (migration " + name + ")");
        Objects.requireNonNull(migrateOne, "migrateOne must not be null (migration " + name + ")");
        checkBatchSize(batchSize);
        if (segments < 0 || segments > MAX_SEGMENTS) {
            throw new IllegalArgumentException(
                    "segments must be between 0 and " + MAX_SEGMENTS + ", but was " + segments);
        }
    }

    /** Defines a migration with the default options. */
    public static Migration define(String name, String table, MigrateOne migrateOne) {
        return new Migration(name, table, migrateOne, DEFAULT_BATCH_SIZE, false, null, 0);
    }

    /** Throws unless {@code batchSize} is between 1 and {@value #MAX_BATCH_SIZE}. */
    public static int checkBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(
                    "batchSize must be between 1 and " + MAX_BATCH_SIZE + ", but was " + batchSize);
        }
        return batchSize;
    }

    public Migration withBatchSize(int batchSize) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments);
    }

    public Migration withParallelize(boolean parallelize) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments);
    }

    public Migration withCustomRange(CustomRange customRange) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments);
    }

    public Migration withSegments(int segments) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments);
    }
}
