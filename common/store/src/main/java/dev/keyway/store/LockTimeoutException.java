package dev.keyway.store;

/**
 * A row or table the batch needs stayed locked by another transaction (usually the application's)
 * longer than the lock timeout. The batch rolled back without waiting further, so the application
 * wins; it runs again after a backoff.
 */
public final class LockTimeoutException extends RetriableStoreException {

    public LockTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
