package dev.keyway.message;

/**
 * The batch that failed a migration.
 *
 * @param cursor the cursor the failed batch started after (the migration resumes here)
 * @param documentId the document whose {@code migrateOne} threw, or null
 * @param task where the batch's task is on the tasks topic: reset the worker group to this offset to replay it
 */
public record FailedBatch(int segment, String cursor, String documentId, TaskLocation task) {
}
