package dev.keyway.runtime;

import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/** How a service opens its store at start-up: patiently, while the database is still coming up. */
public final class StoreStartup {

    private StoreStartup() {
    }

    /**
     * Opens a store, retrying with backoff for up to {@code patience} while the database is unreachable or busy
     * (starting up, or an H2 file another process is opening); a store error that is not retriable is thrown at once.
     */
    public static Store open(StoreOptions options, Duration patience) {
        return Mono.fromCallable(() -> Store.open(options))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(2))
                        .filter(StoreException::isRetriable)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .timeout(patience, Mono.error(() -> new RetriableStoreException("the database at "
                        + options.redactedUrl() + " did not become reachable within " + patience.toSeconds()
                        + " s: start it (PostgreSQL: pg_ctlcluster 15 main start; MariaDB: bin/ensure-mariadb) or set"
                        + " JDBC_URL", null)))
                .block();
    }
}
