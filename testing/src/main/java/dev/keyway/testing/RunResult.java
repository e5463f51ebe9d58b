package dev.keyway.testing;

/**
 * How a {@link MigrationHarness#runToCompletion} run ended.
 *
 * @param migration the migration's name
 * @param rowsProcessed documents of the batches that committed (all of the walk's rows when it succeeded)
 * @param rowsPatched documents for which {@code migrateOne} returned a patch (not null), in the batches that
 *     committed; changes made through {@code ctx.db()} are not counted
 * @param batches batches that committed, each in its own transaction
 * @param error why the run stopped, as a worker reports it (for a {@code migrateOne} that threw: the document's
 *     id, the exception, and that the batch was rolled back); {@code null} when every row was migrated
 * @param failedDocumentId the id (primary key as text) of the document whose {@code migrateOne} threw or outlived
 *     the batch deadline; {@code null} when none did
 */
public record RunResult(String migration, long rowsProcessed, long rowsPatched, int batches, String error,
                        String failedDocumentId) {

    /** True when the walk reached the end of every segment. */
    public boolean succeeded() {
        return error == null;
    }

    /** Returns this result when the run succeeded; else throws an {@link AssertionError} carrying its error. */
    public RunResult assertSucceeded() {
        if (error != null) {
            throw new AssertionError("migration " + migration + " failed after " + rowsProcessed + " rows in "
                    + batches + " committed batches"
                    + (failedDocumentId == null ? "" : ", on document " + failedDocumentId) + ": " + error);
        }
        return this;
    }
}
