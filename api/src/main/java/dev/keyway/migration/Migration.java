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
 * @param table the table to walk: {@code table}, {@code schema.table}, or with quoted parts ({@code "Sales"."OrderItems"};
 *     a quoted part may hold dots, {@code ""} in it is one quote); every part is case-sensitive. Without a schema,
 *     the table is looked up as the database would (PostgreSQL: the first schema of the {@code search_path} that
 *     holds it; H2: the current schema). It must have a primary key (one column or several), and may be a
 *     partitioned table (walked through its parent); a view, or a table without a primary key, is refused when a
 *     run starts
 * @param migrateOne the per-document function
 * @param batchSize documents per batch (one database transaction), 1 to {@value #MAX_BATCH_SIZE};
 *     default {@value #DEFAULT_BATCH_SIZE}. Set with {@link #withBatchSize}, every batch of a run that gives no
 *     size of its own has this many rows; left at the default, a run's batches are sized by time
 *     ({@code targetBatchMillis})
 * @param parallelize run {@code migrateOne} concurrently within a batch; default false
 * @param customRange the subset of the table to walk; {@code null} for the whole table
 * @param segments how many segments (parallel cursor chains) to split the key range into;
 *     0 (the default) lets the coordinator choose from the table size
 * @param targetBatchMillis how long a batch should take, when runs size their batches by time (between 1 row and
 *     {@code batchSize}); {@value #COORDINATORS_TARGET} (the default) = the coordinator's {@code TARGET_BATCH_MILLIS},
 *     with batches of up to ten times {@code batchSize}; 0 = batches of {@code batchSize} (what
 *     {@link #withBatchSize} sets)
 * @param maxQuarantined how many documents a run may set aside before it fails: a document whose {@code migrateOne}
 *     throws (or outlives the batch deadline), or whose write the database refuses, is left as it was and recorded in
 *     {@code keyway_quarantine}, and the rest of its batch commits. 0 (the default) = quarantine off: such a document
 *     fails its batch and the run. A run's {@code --max-quarantined} overrides it
 * @param beforeImages every run keeps a before-image of each row it changes ({@code keyway_images}), so that
 *     {@code bin/migrate undo} can take it back; a run's {@code --keep-before-images} asks it for one run. Off by default:
 *     images cost a write per changed row (docs/BENCHMARKS.md, "Before-images")
 */
public record Migration(
        String name,
        String table,
        MigrateOne migrateOne,
        int batchSize,
        boolean parallelize,
        CustomRange customRange,
        int segments,
        int targetBatchMillis,
        long maxQuarantined,
        boolean beforeImages) {

    public static final int DEFAULT_BATCH_SIZE = 100;
    /** {@code targetBatchMillis} of a definition that leaves its batches' size to the coordinator. */
    public static final int COORDINATORS_TARGET = -1;
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
        if (targetBatchMillis < COORDINATORS_TARGET || targetBatchMillis > 60_000) {
            throw new IllegalArgumentException("targetBatchMillis must be between 1 and 60000 (or 0 for batches of"
                    + " batchSize), but was " + targetBatchMillis + " (migration " + name + ")");
        }
        if (maxQuarantined < 0) {
            throw new IllegalArgumentException("maxQuarantined must be at least 0 (0 = quarantine off), but was "
                    + maxQuarantined + " (migration " + name + ")");
        }
    }

    /** A definition without quarantine. */
    public Migration(String name, String table, MigrateOne migrateOne, int batchSize, boolean parallelize,
                     CustomRange customRange, int segments, int targetBatchMillis) {
        this(name, table, migrateOne, batchSize, parallelize, customRange, segments, targetBatchMillis, 0);
    }

    /** A definition that keeps no before-images. */
    public Migration(String name, String table, MigrateOne migrateOne, int batchSize, boolean parallelize,
                     CustomRange customRange, int segments, int targetBatchMillis, long maxQuarantined) {
        this(name, table, migrateOne, batchSize, parallelize, customRange, segments, targetBatchMillis, maxQuarantined,
                false);
    }

    /** Defines a migration with the default options. */
    public static Migration define(String name, String table, MigrateOne migrateOne) {
        return new Migration(name, table, migrateOne, DEFAULT_BATCH_SIZE, false, null, 0, COORDINATORS_TARGET);
    }

    /** Throws unless {@code batchSize} is between 1 and {@value #MAX_BATCH_SIZE}. */
    public static int checkBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(
                    "batchSize must be between 1 and " + MAX_BATCH_SIZE + ", but was " + batchSize);
        }
        return batchSize;
    }

    /** Batches of exactly this many rows (the last one of a segment may have fewer). */
    public Migration withBatchSize(int batchSize) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments,
                0, maxQuarantined, beforeImages);
    }

    /** Batches sized to take about this long, between 1 row and {@code batchSize} (set that first to change it). */
    public Migration withTargetBatchMillis(int millis) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments,
                millis, maxQuarantined, beforeImages);
    }

    public Migration withParallelize(boolean parallelize) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments,
                targetBatchMillis, maxQuarantined, beforeImages);
    }

    public Migration withCustomRange(CustomRange customRange) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments,
                targetBatchMillis, maxQuarantined, beforeImages);
    }

    public Migration withSegments(int segments) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments,
                targetBatchMillis, maxQuarantined, beforeImages);
    }

    /**
     * Runs of this migration may set aside up to {@code max} documents (see {@code maxQuarantined}); 0 turns
     * quarantine off.
     */
    public Migration withMaxQuarantined(long max) {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments, targetBatchMillis,
                max, beforeImages);
    }

    /**
     * Every run of this migration keeps a before-image of each row it changes (patches, and inserts, replaces and
     * deletes through {@code ctx.db()}), so that {@code bin/migrate undo} can take the run back.
     */
    public Migration withBeforeImages() {
        return new Migration(name, table, migrateOne, batchSize, parallelize, customRange, segments, targetBatchMillis,
                maxQuarantined, true);
    }
}
