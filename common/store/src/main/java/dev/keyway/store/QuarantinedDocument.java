package dev.keyway.store;

/**
 * A document a run set aside ({@code keyway_quarantine}): its {@code migrateOne} threw or outlived the batch deadline,
 * or the database refused its write. It is recorded in the transaction of the batch that met it, with the ledger
 * row, so a replayed batch records it at most once; the row itself is left as it was.
 *
 * @param key the document's id as JSON (a value, or for a composite key the array of its key columns' values)
 * @param error why, bounded to {@value #MAX_ERROR} characters
 * @param document the document as the batch read it, as JSON, bounded to {@value #MAX_DOCUMENT} characters (a longer
 *     one is kept as a JSON string of its first characters)
 * @param at when it was recorded (epoch millis; 0 before it is)
 */
public record QuarantinedDocument(String migration, String runId, int segment, String key, String error,
                                  String document, long at) {
    /** The longest error kept. */
    public static final int MAX_ERROR = 4_000;
    /** The longest document JSON kept. */
    public static final int MAX_DOCUMENT = 16_000;
}
