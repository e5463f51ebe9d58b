package dev.keyway.store;

/**
 * A value a migration wrote does not fit its column (a string that is not a uuid, a date or a label of the enum, an
 * array for a column that is not one, a domain's check that fails): the batch rolled back, and runs the same way
 * again until the migration or the data is fixed. The message names the table, the document, the column(s) and the
 * value; {@link #documentId()} is the document's primary key as text.
 */
public class RejectedValueException extends StoreException {

    private final String documentId;

    public RejectedValueException(String message, String documentId, Throwable cause) {
        super(message, cause);
        this.documentId = documentId;
    }

    /** The primary key (as text) of the document whose patch held the value. */
    public String documentId() {
        return documentId;
    }
}
