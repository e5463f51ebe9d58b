package dev.keyway.kafka;

import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Consume-transform-produce with Kafka transactions: the records a handler returns for the records of
 * one poll, and the consumed offsets, commit in one transaction, or none of them do.
 *
 * <p>Records are handled one at a time, in order. On an error (from the handler or Kafka) the
 * transaction is aborted, the consumer is closed, and after a backoff a new consumer resumes from the
 * last committed offsets; {@code onAssigned} runs (on the polling thread) before any record of newly
 * assigned partitions is handled, so a handler can rebuild its state.
 */
public interface ExactlyOnceProcessor {

    /**
     * Runs until the returned Mono is cancelled, or until Kafka refuses this client's login or one of its ACLs:
     * then the Mono ends with a {@link KafkaAccessDeniedException} instead of retrying.
     */
    Mono<Void> run(Function<Inbound, Mono<List<Outbound>>> handler, Runnable onAssigned);
}
