package dev.keyway.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a {@link MigrationHarness#dryRun} batch would change: the first batch of the migration's walk, applied and
 * rolled back, reported as the workers report a dry run (bounded, like the report that travels in the status).
 *
 * @param rowsProcessed documents the batch read and handed to {@code migrateOne}
 * @param changes the documents the batch changed, before and after, at most 50, values longer than 1000 characters
 *     cut; a document that migrateOne left as it was is absent
 * @param omitted how many more changed documents the report leaves out
 * @param error why the batch failed; {@code null} when it did not
 * @param failedDocumentId the id of the document whose {@code migrateOne} threw, or {@code null}
 */
public record DryRunResult(int rowsProcessed, List<Change> changes, int omitted, String error,
                           String failedDocumentId) {

    public DryRunResult {
        changes = List.copyOf(changes);
    }

    /**
     * One changed document.
     *
     * @param id its primary key, as text
     * @param after {@code null} when the batch deleted it
     */
    public record Change(String id, ObjectNode before, ObjectNode after) {
    }
}
