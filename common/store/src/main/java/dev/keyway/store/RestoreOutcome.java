package dev.keyway.store;

/** What {@link BatchTransaction#restore} did to one row. */
public enum RestoreOutcome {
    /** The row hashed to the image's after-hash (the run left it so) and is now as it was before the run. */
    RESTORED,
    /** The row no longer hashes to the after-hash (the application changed it since): left as it is. */
    CONFLICT,
    /** A conflict, overwritten all the same ({@code force}): the row is now as it was before the run. */
    FORCED
}
