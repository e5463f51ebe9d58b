package dev.keyway.store;

import java.util.List;
import java.util.Optional;

/**
 * The before-images runs keep ({@code keyway_images}, docs/CONTRACTS.md): written by the batches of a run that asked
 * for them ({@link BatchTransaction#keepImages}), read back here to list, walk and purge them outside any batch. Images
 * stay until purged; purging is per run. Thread-safe.
 */
public interface RunImages {

    /**
     * The run's images after {@code cursor} (exclusive; null = from the first) in the order of their ids, at most
     * {@code limit}; read in a transaction of its own. An undo batch reads its page in its own transaction instead
     * ({@link BatchTransaction#readImages}).
     */
    ImagePage images(String migration, String runId, String cursor, int limit);

    /**
     * The hash of a row as it is now, read and made canonical exactly as a batch hashes the rows it changed (see
     * {@link RowImage#afterHash}); empty when the row is not there.
     *
     * @param table as in {@link RowImage#table}
     * @param key as in {@link RowImage#key}
     */
    Optional<String> currentHash(String table, String key);

    /** The migration's runs that keep images, with how many and how big, the oldest run first. */
    List<ImagesOfRun> imageRuns(String migration);

    /**
     * Deletes the run's images, in transactions of at most {@value #PURGE_CHUNK} rows each (a purge stopped half way
     * leaves the rest, to be purged again), and returns how many rows it deleted.
     */
    long purgeImages(String migration, String runId);

    /** How many images one transaction of {@link #purgeImages} deletes at most. */
    int PURGE_CHUNK = 10_000;
}
