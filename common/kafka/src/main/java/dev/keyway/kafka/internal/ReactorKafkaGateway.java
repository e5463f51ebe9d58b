package dev.keyway.kafka.internal;

import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaAccessDeniedException;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.KafkaUnavailableException;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.kafka.internal.AccessErrors.Attempt;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;

/**
 * {@link KafkaGateway} on reactor-kafka and kafka-clients. A refused login or a missing ACL surfaces as a
 * {@link KafkaAccessDeniedException} naming the principal and what to grant ({@link AccessErrors}), never as an
 * unreachable broker.
 */
public final class ReactorKafkaGateway implements KafkaGateway {

    /** Short enough that a killed process's open transaction and group membership expire in seconds. */
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;
    /** How often {@link #awaitSettled} asks, and how long it waits for each answer. */
    private static final Duration SETTLED_POLL = Duration.ofMillis(100);
    private static final Duration SETTLED_QUESTION = Duration.ofSeconds(5);
    /**
     * The status topic is compacted, in segments small enough for the cleaner to keep up (only closed segments are
     * compacted): a coordinator that takes over reads the latest status per migration plus at most about one segment
     * of history, not everything written since the topic was made.
     */
    static final Map<String, String> STATUS_TOPIC_CONFIG = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024),
            TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(10 * 60 * 1000),
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1");
    /** The history topic's retention: 400 days, set explicitly so that a broker's default (7 days) does not apply. */
    static final long HISTORY_RETENTION_MS = 400L * 24 * 60 * 60 * 1000;
    /** The history topic: append-only, kept {@link #HISTORY_RETENTION_MS} whatever the broker's default. */
    static final Map<String, String> HISTORY_TOPIC_CONFIG = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(HISTORY_RETENTION_MS));
    private static final int SESSION_TIMEOUT_MS = 10_000;
    /**
     * A transaction that starts right after the previous one committed finds its commit markers still being
     * written and is told CONCURRENT_TRANSACTIONS; the client retries after this backoff (doubling up to
     * {@code retry.backoff.max.ms}). Kafka's default of 100 ms put that wait on every back-to-back batch.
     */
    private static final int TRANSACTION_RETRY_BACKOFF_MS = 5;
    /**
     * How long an idle fetch waits on the broker, and how long an idle poll waits. In exactly-once mode
     * reactor-kafka pauses the consumer while a transaction is open, and a record that arrives meanwhile
     * is seen up to about one fetch wait later, so the wait is short; but every idle consumer sends a
     * fetch per wait. Measured on 2 cores with a coordinator and two idle workers: 10/10 ms cost 1.4
     * cores of CPU (broker and clients), 50/50 ms 0.3 cores, with the same time per batch on the
     * one-segment benchmark probe. A new demand wakes a paused poll at once, so the poll timeout adds no
     * latency.
     */
    private static final int FETCH_MAX_WAIT_MS = 50;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
    /** A stopping service leaves its group within this, so its partitions move on quickly. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaSettings settings;
    private final AccessErrors access;
    private final Admin admin;
    private final KafkaSender<String, byte[]> publisher;
    private final AdminQueries queries;

    private ReactorKafkaGateway(KafkaSettings settings, Admin admin) {
        this.settings = settings;
        this.access = new AccessErrors(settings);
        this.admin = admin;
        this.queries = new AdminQueries(admin, settings.bootstrapServers(), access);
        // one request in flight per broker: with more, a first batch to a partition the broker has not opened
        // yet fails, the next one succeeds, and the first is then retried forever as out of sequence
        // (KAFKA-14359; seen once when publishing right after creating a topic)
        this.publisher = KafkaSender.create(producerOptions()
                .producerProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
    }

    /**
     * Connects; throws {@link KafkaUnavailableException} if no broker answers within {@code requested} (or the client
     * property {@code default.api.timeout.ms} when that is longer), and {@link KafkaAccessDeniedException} if one
     * answers but refuses the login (SASL, TLS).
     */
    public static ReactorKafkaGateway connect(KafkaSettings settings, Duration requested) {
        Duration timeout = patience(settings, requested);
        Map<String, Object> props = new HashMap<>(settings.client().values());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Admin admin = Admin.create(props);
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admin.close(Duration.ZERO);
            throw new KafkaUnavailableException(settings.bootstrapServers(), e);
        } catch (ExecutionException | TimeoutException e) {
            admin.close(Duration.ZERO);
            if (AccessErrors.isAccessError(e)) {
                throw new AccessErrors(settings).denied(e, Attempt.connect());
            }
            throw new KafkaUnavailableException(settings.bootstrapServers(), e);
        }
        return new ReactorKafkaGateway(settings, admin);
    }

    /**
     * {@code requested}, or the operator's {@code default.api.timeout.ms} when longer: a cluster far away, or a TLS
     * handshake on a busy machine, may need more than Keyway's own default to answer.
     */
    static Duration patience(KafkaSettings settings, Duration requested) {
        String configured = settings.client().values().get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        if (configured == null) {
            return requested;
        }
        try {
            Duration given = Duration.ofMillis(Long.parseLong(configured.trim()));
            return given.compareTo(requested) > 0 ? given : requested;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("default.api.timeout.ms must be a number of milliseconds, but was '"
                    + configured + "' (KAFKA_CONFIG or KAFKA_DEFAULT_API_TIMEOUT_MS)", e);
        }
    }

    @Override
    public KafkaSettings settings() {
        return settings;
    }

    @Override
    public void ensureTopics() {
        Topics t = settings.topics();
        try {
            int brokers = admin.describeCluster().nodes().get().size();
            short rf = (short) Math.min(3, brokers);
            Map<String, String> replicated = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.max(1, rf - 1)));
            Map<String, String> compacted = new HashMap<>(replicated);
            compacted.putAll(STATUS_TOPIC_CONFIG);
            Map<String, String> kept = new HashMap<>(replicated);
            kept.putAll(HISTORY_TOPIC_CONFIG);
            List<NewTopic> wanted = List.of(
                    new NewTopic(t.commands(), 1, rf).configs(replicated),
                    new NewTopic(t.tasks(), settings.taskPartitions(), rf).configs(replicated),
                    new NewTopic(t.events(), 1, rf).configs(replicated),
                    new NewTopic(t.status(), 1, rf).configs(compacted),
                    new NewTopic(t.history(), 1, rf).configs(kept));
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = wanted.stream().filter(n -> !existing.contains(n.name())).collect(Collectors.toList());
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                } catch (ExecutionException e) {
                    if (AccessErrors.isAccessError(e)) {
                        throw access.denied(e, Attempt.create(missing.stream().map(NewTopic::name).toList()));
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            if (AccessErrors.isAccessError(e)) {
                throw access.denied(e, Attempt.connect());
            }
            throw new KafkaUnavailableException(settings.bootstrapServers(), e.getCause());
        }
    }

    @Override
    public ExactlyOnceProcessor processor(String groupId, List<String> topics, int maxPollRecords, int concurrency) {
        Map<String, Object> c = consumerProps(groupId);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 4);
        ReceiverOptions<String, byte[]> ro = ReceiverOptions.<String, byte[]>create(c).subscription(topics)
                .pollTimeout(POLL_TIMEOUT)
                // reactor/reactor-kafka#371: in exactly-once mode records never leave the "pipeline" count, so a
                // rebalance would always wait the whole delay (60 s by default). Records in flight when partitions
                // are revoked are safe to let go: their transaction cannot commit, and the ledger makes the redelivery
                // a no-op for the database.
                .maxDelayRebalance(Duration.ZERO)
                .closeTimeout(CLOSE_TIMEOUT);
        SenderOptions<String, byte[]> so = producerOptions()
                .producerProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS)
                .producerProperty(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS)
                .stopOnError(true);
        return new ReactorExactlyOnceProcessor(ro, so, groupId, concurrency, access);
    }

    @Override
    public void checkWriteAccess(String topic) {
        Set<AclOperation> allowed;
        try {
            allowed = admin.describeTopics(List.of(topic), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get().get(topic).authorizedOperations();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the access to " + topic, e);
        } catch (ExecutionException e) {
            if (AccessErrors.isAccessError(e)) {
                throw access.denied(e, Attempt.write(topic));
            }
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("there is no topic " + topic + " on Kafka at " + settings.bootstrapServers()
                        + ": start a coordinator with TOPIC_PREFIX=" + settings.topicPrefix() + " first (it creates the"
                        + " topics), or check TOPIC_PREFIX", e.getCause());
            }
            throw new KafkaUnavailableException(settings.bootstrapServers(), e.getCause());
        }
        // null: the broker has no authorizer; ALL covers WRITE
        if (allowed != null && !allowed.contains(AclOperation.WRITE) && !allowed.contains(AclOperation.ALL)) {
            throw access.denied(new TopicAuthorizationException(Set.of(topic)), Attempt.write(topic));
        }
    }

    @Override
    public Mono<Void> publish(List<Outbound> records) {
        Attempt attempt = Attempt.write(records.isEmpty() ? settings.topicPrefix() : records.get(0).topic());
        return publisher.send(Flux.fromIterable(records)
                        .map(o -> SenderRecord.<String, byte[], Void>create(new ProducerRecord<>(o.topic(), o.key(), o.value()), null)))
                .concatMap(r -> r.exception() == null ? Mono.<Void>empty()
                        : Mono.<Void>error(AccessErrors.isAccessError(r.exception()) ? access.denied(r.exception(), attempt)
                        : new KafkaUnavailableException(settings.bootstrapServers(), r.exception())))
                .onErrorMap(AccessErrors::isAccessError, e -> access.denied(e, attempt))
                .then();
    }

    @Override
    public void readToEnd(String topic, Consumer<Inbound> each) {
        try {
            readAll(topic, each);
        } catch (RuntimeException e) {
            throw access.orDenied(e, Attempt.read(topic));
        }
    }

    private void readAll(String topic, Consumer<Inbound> each) {
        Map<String, Object> props = consumerProps(null);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(new Inbound(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
                }
            }
        }
    }

    @Override
    public long endOffset(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(null))) {
            TopicPartition p = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(p), Duration.ofSeconds(30)).get(p);
        } catch (RuntimeException e) {
            throw access.orDenied(e, Attempt.read(topic));
        }
    }

    @Override
    public Flux<Inbound> follow(String topic, long fromOffset) {
        TopicPartition p = new TopicPartition(topic, 0);
        ReceiverOptions<String, byte[]> ro = ReceiverOptions.<String, byte[]>create(consumerProps(null))
                .assignment(List.of(p))
                .addAssignListener(parts -> parts.forEach(rp -> rp.seek(fromOffset)));
        return KafkaReceiver.create(ro).receive()
                .map(r -> new Inbound(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()))
                .onErrorMap(AccessErrors::isAccessError, e -> access.denied(e, Attempt.read(topic)));
    }

    @Override
    public void checkReachable(Duration timeout) {
        queries.checkReachable(timeout);
    }

    @Override
    public boolean awaitSettled(String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Boolean settled = Mono.fromCallable(() -> queries.settled(topic, SETTLED_QUESTION))
                .filter(Boolean::booleanValue)
                .repeatWhenEmpty(again -> again.takeWhile(n -> System.nanoTime() < deadline)
                        .delayElements(SETTLED_POLL))
                .block(timeout.plus(SETTLED_QUESTION));
        return Boolean.TRUE.equals(settled);
    }

    @Override
    public long consumerLag(String groupId, String topic, Duration timeout) {
        return queries.consumerLag(groupId, topic, timeout);
    }

    @Override
    public void close() {
        publisher.close();
        admin.close(Duration.ofSeconds(5));
    }

    private Map<String, Object> consumerProps(String groupId) {
        // the operator's client properties first (security, SASL, TLS); what exactly once needs is set after them
        Map<String, Object> c = new HashMap<>(settings.client().values());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        if (groupId != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a batch waits for two hops (task, outcome): don't let an idle fetch sit on the broker for long
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        return c;
    }

    private SenderOptions<String, byte[]> producerOptions() {
        Map<String, Object> p = new HashMap<>(settings.client().values());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return SenderOptions.create(p);
    }
}
