package dev.keyway.kafka;

import dev.keyway.kafka.internal.ReactorKafkaGateway;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one door to Kafka. Everything else in Keyway uses these types, never a Kafka client library, so
 * the client (reactor-kafka today) can be replaced by touching {@code dev.keyway.kafka.internal} alone.
 * Thread-safe; close it to close its producer.
 */
public interface KafkaGateway extends AutoCloseable {

    /**
     * Connects; throws {@link KafkaUnavailableException} if no broker answers within {@code timeout} (or the client
     * property {@code default.api.timeout.ms}, when that is longer), and {@link KafkaAccessDeniedException} if one
     * answers but refuses this client's login (SASL, TLS).
     */
    static KafkaGateway connect(KafkaSettings settings, Duration timeout) {
        return ReactorKafkaGateway.connect(settings, timeout);
    }

    KafkaSettings settings();

    /** Creates the four topics if they do not exist (status compacted). */
    void ensureTopics();

    /** An exactly-once processor for a consumer group over the given topics that handles one record at a time. */
    default ExactlyOnceProcessor processor(String groupId, List<String> topics, int maxPollRecords) {
        return processor(groupId, topics, maxPollRecords, 1);
    }

    /**
     * An exactly-once processor for a consumer group over the given topics.
     *
     * @param concurrency how many records of one poll are handled at once (their outputs keep the
     *     records' order); 1 for handlers whose outcome depends on the order of records
     */
    ExactlyOnceProcessor processor(String groupId, List<String> topics, int maxPollRecords, int concurrency);

    /**
     * Checks, before writing, that this client's principal may write to {@code topic}: when the broker's ACLs say
     * no, throws a {@link KafkaAccessDeniedException} naming the topic, the principal and the ACL to grant, before
     * any producer meets the refusal (which would leave it in error). A broker without an authorizer allows all.
     * A topic that does not exist is an {@link IllegalStateException} saying to start a coordinator first.
     */
    void checkWriteAccess(String topic);

    /**
     * Publishes records (idempotent producer, not transactional); completes when all are acknowledged, or with a
     * {@link KafkaAccessDeniedException} when an ACL is missing.
     */
    Mono<Void> publish(List<Outbound> records);

    /** Every committed record of a topic from the beginning to the end offsets taken now. */
    default List<Inbound> readToEnd(String topic) {
        List<Inbound> all = new java.util.ArrayList<>();
        readToEnd(topic, all::add);
        return all;
    }

    /**
     * Hands every committed record of a topic, from the beginning to the end offsets taken now, to {@code each} as it
     * is read, in order: a reader that keeps only what it needs (the latest record per key of a compacted topic) holds
     * no more than that, however much uncompacted history the topic has.
     */
    void readToEnd(String topic, java.util.function.Consumer<Inbound> each);

    /**
     * Waits until no transaction is open on {@code topic} (what is written is all committed or aborted), at most
     * {@code timeout}: a coordinator that takes over reads the statuses only then, so that a transaction the one before
     * it left open (stopped, not dead, in the middle of a commit) cannot commit after the read and leave the new one
     * deciding on statuses older than the topic's. The broker aborts a transaction left open after its timeout.
     *
     * @return true when none is open; false when one still was at the timeout
     */
    default boolean awaitSettled(String topic, Duration timeout) {
        // a gateway without transactions (a test's fake) has none open
        return true;
    }

    /** The end offset of partition 0 of a topic (the offset its next record will get). */
    long endOffset(String topic);

    /**
     * Every committed record of partition 0 of a topic from {@code fromOffset} (0 = the beginning),
     * then new ones as they come; no consumer group. For the single-partition topics.
     */
    Flux<Inbound> follow(String topic, long fromOffset);

    /**
     * Returns once a broker answers, within {@code timeout}: for a service's readiness. Throws
     * {@link KafkaUnavailableException} if none does, {@link KafkaAccessDeniedException} if one refuses the login.
     * This default says the gateway cannot tell (a test's fake).
     */
    default void checkReachable(Duration timeout) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot check whether Kafka answers");
    }

    /**
     * How many records of {@code topic} the consumer group {@code groupId} has not consumed yet, summed over the
     * topic's partitions (in offsets, up to the end of its committed transactions): the tasks waiting for the workers.
     * Waits at most {@code timeout} for each of its questions to the brokers; throws {@link KafkaUnavailableException}
     * past it. This default says the gateway cannot tell (a test's fake).
     */
    default long consumerLag(String groupId, String topic, Duration timeout) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read a consumer group's lag");
    }

    @Override
    void close();
}
