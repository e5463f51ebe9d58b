package dev.keyway.metrics;

import java.util.Optional;

/**
 * Whether a service can do its work now, for {@link MetricsEndpoint}'s {@code /ready}: empty when it can, else why
 * not, in a short sentence ("the database does not answer: ..."). Called on the endpoint's thread for each request:
 * it must answer at once (read what a background check found last, never ask Kafka or the database itself).
 */
@FunctionalInterface
public interface Readiness {

    Optional<String> problem();

    /** Always ready: a service with nothing to check. */
    static Readiness always() {
        return Optional::empty;
    }
}
