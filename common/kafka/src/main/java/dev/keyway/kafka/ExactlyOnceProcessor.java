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
 * assigned partitions is handled, so a handler can rebuild its state (not for an assignment of no partitions: a
 * member that stands by has nothing to rebuild).
 */
public interface ExactlyOnceProcessor {

    /**
     * Runs until the returned Mono is cancelled, or until Kafka refuses this client's login or one of its ACLs:
     * then the Mono ends with a {@link KafkaAccessDeniedException} instead of retrying.
     */
    Mono<Void> run(Function<Inbound, Mono<List<Outbound>>> handler, Runnable onAssigned);

    /**
     * As {@link #run(Function, Runnable)}, for a handler that keeps state: {@code rebuild} makes it afresh from what
     * was committed, on every assignment, before any record of it is handled. Two more guarantees follow:
     * <ul>
     *   <li>a transaction during which partitions were assigned (so {@code rebuild} ran without what it holds) does not
     *   commit: it aborts, and the session starts again from the committed offsets;</li>
     *   <li>{@code onCommitted} runs after each transaction commits, before the next records are handled: what a
     *   handler may only do once its records are out (publish a task outside the transaction, start work whose result
     *   comes back as a record) waits for it there. A transaction that aborts never reaches it.</li>
     * </ul>
     */
    Mono<Void> runWithState(Function<Inbound, Mono<List<Outbound>>> handler, Runnable rebuild, Runnable onCommitted);
}
