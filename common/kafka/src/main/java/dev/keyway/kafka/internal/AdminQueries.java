package dev.keyway.kafka.internal;

import dev.keyway.kafka.KafkaUnavailableException;
import dev.keyway.kafka.internal.AccessErrors.Attempt;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * What the services ask Kafka's Admin API for their health and metrics: whether a broker answers, and how far a
 * consumer group is behind on a topic. Each question waits at most its timeout.
 */
final class AdminQueries {

    private final Admin admin;
    private final String bootstrap;
    private final AccessErrors access;

    AdminQueries(Admin admin, String bootstrap, AccessErrors access) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.access = access;
    }

    void checkReachable(Duration timeout) {
        await(admin.describeCluster().nodes(), timeout, Attempt.connect());
    }

    /**
     * The records of {@code topic} the group has not consumed yet, over all its partitions: each partition's end
     * offset (of committed transactions) less the group's committed offset, or less the partition's first offset where
     * the group committed none.
     */
    long consumerLag(String groupId, String topic, Duration timeout) {
        Attempt attempt = Attempt.read(topic);
        Map<TopicPartition, OffsetAndMetadata> committed = await(admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata(), timeout, attempt);
        int partitions = await(admin.describeTopics(java.util.List.of(topic)).allTopicNames(), timeout, attempt)
                .get(topic).partitions().size();
        Map<TopicPartition, Long> ends = offsets(topic, partitions, OffsetSpec.latest(), timeout, attempt);
        Map<TopicPartition, Long> starts = offsets(topic, partitions, OffsetSpec.earliest(), timeout, attempt);
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            long from = at != null ? at.offset() : starts.get(end.getKey());
            lag += Math.max(0, end.getValue() - from);
        }
        return lag;
    }

    /**
     * Whether no transaction is open on {@code topic}: on each partition, the end of what is committed (the last
     * stable offset) is the end of what is written. A transaction still open (a coordinator stopped mid-commit) holds
     * the committed end back until it commits or aborts.
     */
    boolean settled(String topic, Duration timeout) {
        Attempt attempt = Attempt.read(topic);
        int partitions = await(admin.describeTopics(java.util.List.of(topic)).allTopicNames(), timeout, attempt)
                .get(topic).partitions().size();
        return offsets(topic, partitions, OffsetSpec.latest(), timeout, attempt, IsolationLevel.READ_COMMITTED)
                .equals(offsets(topic, partitions, OffsetSpec.latest(), timeout, attempt,
                        IsolationLevel.READ_UNCOMMITTED));
    }

    private Map<TopicPartition, Long> offsets(String topic, int partitions, OffsetSpec spec, Duration timeout,
                                              Attempt attempt) {
        return offsets(topic, partitions, spec, timeout, attempt, IsolationLevel.READ_COMMITTED);
    }

    private Map<TopicPartition, Long> offsets(String topic, int partitions, OffsetSpec spec, Duration timeout,
                                              Attempt attempt, IsolationLevel isolation) {
        Map<TopicPartition, OffsetSpec> asked = java.util.stream.IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toMap(Function.identity(), p -> spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = await(admin.listOffsets(asked,
                new ListOffsetsOptions(isolation)).all(), timeout, attempt);
        return found.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private <T> T await(KafkaFuture<T> future, Duration timeout, Attempt attempt) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException(bootstrap, e);
        } catch (ExecutionException | TimeoutException e) {
            if (AccessErrors.isAccessError(e)) {
                throw access.denied(e, attempt);
            }
            throw new KafkaUnavailableException(bootstrap, e);
        }
    }
}
