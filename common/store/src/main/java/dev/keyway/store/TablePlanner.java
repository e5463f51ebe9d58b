package dev.keyway.store;

import java.util.List;

/**
 * What the coordinator asks of a migration's table before and while it plans a run: can it be walked, in which
 * order, how many rows, and where to cut it into segments. Thread-safe.
 */
public interface TablePlanner {

    /**
     * Reads the walk's table afresh from the database's catalogs (not from what was read a while ago) and checks
     * that it can be walked: it exists, it is a table or a partitioned one, it has a primary key, a custom range's
     * column is one of its columns, and each of {@code cursors} (where a resumed run's segments stand and end, or
     * the cursor a run is given) is a tuple of the walk's order columns, as they are now.
     *
     * @throws StoreException naming what is wrong (not retriable), or that the database cannot be reached (retriable)
     */
    void checkWalk(TableWalk walk, List<String> cursors);

    /**
     * The columns the walk is ordered by, which its cursors hold: the primary key's, in key order, or a custom range's
     * column first and then the key's others.
     *
     * @throws StoreException when the table cannot be walked (naming why), or the database cannot be reached
     */
    List<String> keyColumns(TableWalk walk);

    /** About how many rows the walk visits (exact for small tables). */
    long countRows(TableWalk walk);

    /**
     * Up to {@code segments - 1} cursors that split the walk's {@code rows} rows (as counted by
     * {@link #countRows}) into {@code segments} slices of about equal size, in ascending order; fewer
     * when the walk has fewer rows.
     */
    List<String> splitPoints(TableWalk walk, long rows, int segments);
}
