package dev.keyway.store;

/**
 * A database operation failed. {@link #retriable()} is true when the same batch can succeed later
 * unchanged (connection lost, serialization failure, deadlock, lock timeout), false when the data,
 * schema or migration must be fixed first.
 */
public final class StoreException extends RuntimeException {

    private final boolean retriable;

    public StoreException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
