package dev.keyway.store;

/**
 * A database operation failed for a reason that passes by itself: the connection was lost, the
 * database is starting or shutting down, a deadlock or serialization failure, a lock the application
 * holds. The batch runs again after a backoff.
 */
public class RetriableStoreException extends StoreException {

    public RetriableStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
