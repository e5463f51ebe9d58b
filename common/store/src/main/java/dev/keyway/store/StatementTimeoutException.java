package dev.keyway.store;

/**
 * A statement of the batch ran longer than the statement timeout ({@code DB_STATEMENT_TIMEOUT_MS}) and the
 * database cancelled it. Not retriable as it stands (the same batch takes as long again): a worker sizing its
 * batches by a time target retries it smaller first; else the batch fails.
 */
public final class StatementTimeoutException extends StoreException {

    public StatementTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
