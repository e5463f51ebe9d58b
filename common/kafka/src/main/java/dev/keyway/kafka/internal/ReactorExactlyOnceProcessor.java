package dev.keyway.kafka.internal;

import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.Outbound;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import reactor.kafka.sender.TransactionManager;
import reactor.util.retry.Retry;

/** {@link ExactlyOnceProcessor} on reactor-kafka's {@code receiveExactlyOnce}. */
final class ReactorExactlyOnceProcessor implements ExactlyOnceProcessor {

    private static final Logger log = LoggerFactory.getLogger(ReactorExactlyOnceProcessor.class);

    private final ReceiverOptions<String, byte[]> receiverOptions;
    private final SenderOptions<String, byte[]> senderOptions;
    private final String groupId;
    private final int concurrency;
    private final AccessErrors access;

    ReactorExactlyOnceProcessor(ReceiverOptions<String, byte[]> receiverOptions,
                                SenderOptions<String, byte[]> senderOptions, String groupId, int concurrency,
                                AccessErrors access) {
        this.receiverOptions = receiverOptions;
        this.senderOptions = senderOptions;
        this.groupId = groupId;
        this.concurrency = concurrency;
        this.access = access;
    }

    /**
     * {@inheritDoc} A session that fails starts again from the committed offsets, after a backoff, for ever;
     * except when Kafka refuses the login or an ACL is missing: that does not pass by itself, so the processor
     * ends with a {@link dev.keyway.kafka.KafkaAccessDeniedException} naming what to grant.
     */
    @Override
    public Mono<Void> run(Function<Inbound, Mono<List<Outbound>>> handler, Runnable onAssigned) {
        return run(handler, onAssigned, () -> { }, false);
    }

    /** {@inheritDoc} */
    @Override
    public Mono<Void> runWithState(Function<Inbound, Mono<List<Outbound>>> handler, Runnable rebuild,
                                   Runnable onCommitted) {
        return run(handler, rebuild, onCommitted, true);
    }

    private Mono<Void> run(Function<Inbound, Mono<List<Outbound>>> handler, Runnable onAssigned, Runnable onCommitted,
                           boolean stateful) {
        return Flux.defer(() -> session(handler, onAssigned, onCommitted, stateful))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(5))
                        .filter(e -> !AccessErrors.isAccessError(e))
                        .doBeforeRetry(s -> log.warn("group {}: restarting after {}; resuming from committed offsets",
                                groupId, s.failure().toString())))
                .onErrorMap(AccessErrors::isAccessError, e -> access.denied(e, AccessErrors.Attempt.process(groupId,
                        receiverOptions.subscriptionTopics(), groupId + "-")))
                .then();
    }

    /** One consumer and one transactional producer, until the first error. */
    private Flux<Object> session(Function<Inbound, Mono<List<Outbound>>> handler, Runnable onAssigned,
                                 Runnable onCommitted, boolean stateful) {
        // a fresh transactional id per session: a session that failed may have been fenced
        SenderOptions<String, byte[]> so = senderOptions.producerProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                groupId + "-" + UUID.randomUUID());
        return Flux.usingWhen(
                Mono.fromCallable(() -> KafkaSender.create(so)),
                sender -> {
                    TransactionManager tm = sender.transactionManager();
                    AtomicLong assignments = new AtomicLong();
                    ReceiverOptions<String, byte[]> ro = receiverOptions
                            .addAssignListener(parts -> {
                                log.info("group {}: assigned {}", groupId, parts);
                                assignments.incrementAndGet();
                                if (!parts.isEmpty()) {
                                    // a member that got nothing (a standby) has nothing to rebuild, nor to act on
                                    onAssigned.run();
                                }
                            })
                            .addRevokeListener(parts -> log.info("group {}: revoked {}", groupId, parts));
                    KafkaReceiver<String, byte[]> receiver =
                            KafkaReceiver.create(new PollThreadMetadataConsumerFactory(), ro);
                    return receiver.receiveExactlyOnce(tm)
                            .concatMap(batch -> Mono.defer(() -> {
                                long seen = assignments.get();
                                return sender.send(batch.flatMapSequential(r -> handle(handler, r), concurrency))
                                        .then(Mono.defer(() -> stateful ? commitUnlessReassigned(tm, assignments, seen)
                                                : tm.commit()))
                                        .then(Mono.fromRunnable(onCommitted));
                            }), 1)
                            .onErrorResume(e -> tm.abort().onErrorResume(a -> Mono.empty()).then(Mono.error(e)));
                },
                // close() of a transactional sender blocks on the sender's own thread, which is where an
                // abort's error arrives: closing there would wait on itself forever, so close elsewhere
                sender -> Mono.fromRunnable(sender::close).subscribeOn(Schedulers.boundedElastic()).then());
    }

    /**
     * Commits the transaction, unless partitions were assigned while its records were handled: {@code onAssigned} then
     * rebuilt the handler's state from what was committed, without what this transaction holds, so it must not
     * commit. The session ends with an error, and the next one handles the records again on the rebuilt state.
     */
    private Mono<Void> commitUnlessReassigned(TransactionManager tm, AtomicLong assignments, long seen) {
        if (assignments.get() == seen) {
            return tm.commit();
        }
        return Mono.error(new IllegalStateException("group " + groupId + ": partitions were assigned while a"
                + " transaction was open; aborting it, its records are handled again on the state rebuilt"));
    }

    private static Flux<SenderRecord<String, byte[], Void>> handle(Function<Inbound, Mono<List<Outbound>>> handler,
                                                                    ConsumerRecord<String, byte[]> r) {
        Inbound in = new Inbound(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value());
        return handler.apply(in).flatMapIterable(list -> list)
                .map(o -> SenderRecord.create(new ProducerRecord<>(o.topic(), o.key(), o.value()), null));
    }
}
