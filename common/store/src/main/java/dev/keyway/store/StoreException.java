package dev.keyway.store;

/**
 * A database operation failed, and running the same batch again unchanged will fail again: the data,
 * the schema or the migration must be fixed first. Failures that can pass by themselves are
 * {@link RetriableStoreException}s; {@link #isRetriable(Throwable)} is the one place that tells them apart.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the same batch can succeed later unchanged (connection lost, deadlock, lock timeout). */
    public static boolean isRetriable(Throwable t) {
        return t instanceof RetriableStoreException;
    }
}
