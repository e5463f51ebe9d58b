package dev.keyway.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaTestClusterTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void aReadCommittedConsumerSeesACommittedTransactionButNotAnAbortedOne() throws Exception {
        KafkaTestCluster cluster = KafkaTestCluster.shared();
        String topic = "kafka-test-cluster-" + UUID.randomUUID();
        createTopic(cluster, topic, Optional.empty());

        try (KafkaProducer<String, String> producer = transactionalProducer(cluster)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted", "never seen"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "key", "committed"));
            producer.commitTransaction();
        }

        assertEquals(List.of("key=committed"), readCommitted(cluster, topic, 1));
    }

    @Test
    void keepsCommittingTransactionsAfterTheActiveControllerIsKilled() throws Exception {
        try (KafkaTestCluster cluster = KafkaTestCluster.inProcess(3)) {
            assertEquals(KafkaTestCluster.Kind.IN_PROCESS, cluster.kind());
            String topic = "kafka-test-cluster-crash-" + UUID.randomUUID();
            createTopic(cluster, topic, Optional.of((short) 3));
            try (KafkaProducer<String, String> producer = transactionalProducer(cluster)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "key", "before the crash"));
                producer.commitTransaction();
                int controller = cluster.activeControllerId();

                cluster.killNode(controller);

                assertEquals(2, cluster.nodeIds().size());
                assertNotEquals(controller, awaitNewController(cluster, controller));
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "key", "after the crash"));
                producer.commitTransaction();
            }
            assertEquals(List.of("key=before the crash", "key=after the crash"), readCommitted(cluster, topic, 2));
        }
    }

    private static int awaitNewController(KafkaTestCluster cluster, int killed) {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            try {
                int leader = cluster.activeControllerId();
                if (leader != killed && leader >= 0) {
                    return leader;
                }
            } catch (IllegalStateException electionInProgress) {
                // the quorum has no leader yet: ask again
            }
        }
        throw new AssertionError("no new active controller within " + DEADLINE);
    }

    private static void createTopic(KafkaTestCluster cluster, String topic, Optional<Short> replicas)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), replicas))).all().get();
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(KafkaTestCluster cluster) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-test-cluster-" + UUID.randomUUID(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DEADLINE.toMillis()),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readCommitted(KafkaTestCluster cluster, String topic, int expected) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "kafka-test-cluster-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            Instant deadline = Instant.now().plus(DEADLINE);
            while (seen.size() < expected && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record.key() + "=" + record.value());
                }
            }
            // one more poll: nothing beyond the expected records may be visible
            consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.key() + "=" + r.value()));
        }
        assertTrue(seen.size() >= expected, () -> "saw only " + seen + " within " + DEADLINE);
        return seen;
    }
}
