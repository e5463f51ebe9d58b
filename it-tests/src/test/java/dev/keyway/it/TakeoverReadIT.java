package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What a coordinator that takes over reads first, on a real broker: a transaction the coordinator before it left open
 * on the status topic (stopped in the middle of a commit, not dead) holds the read back until it commits, so the new
 * coordinator never decides on statuses older than those that transaction then commits.
 */
class TakeoverReadIT {

    @Test
    void aTakeoverReadsTheStatusesOnlyOnceNoTransactionIsOpenOnThem() throws Exception {
        KafkaTestCluster cluster = KafkaTestCluster.shared();
        KafkaSettings settings = KafkaSettings.defaults().withBootstrapServers(cluster.bootstrapServers())
                .withTopicPrefix("takeover-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        String status = settings.topics().status();
        try (KafkaGateway kafka = KafkaGateway.connect(settings, Duration.ofSeconds(20));
             KafkaProducer<String, byte[]> before = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                     ProducerConfig.TRANSACTIONAL_ID_CONFIG, "the-coordinator-before-" + UUID.randomUUID(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            kafka.ensureTopics();
            assertTrue(kafka.awaitSettled(status, Duration.ofSeconds(10)), "nothing open on a new topic");

            before.initTransactions();
            before.beginTransaction();
            before.send(new ProducerRecord<>(status, "m", "committed late".getBytes(StandardCharsets.UTF_8))).get();
            assertFalse(kafka.awaitSettled(status, Duration.ofMillis(800)), "a transaction is open");

            CompletableFuture<Boolean> takeover = CompletableFuture.supplyAsync(
                    () -> kafka.awaitSettled(status, Duration.ofSeconds(20)));
            assertFalse(takeover.isDone());
            before.commitTransaction();
            assertTrue(takeover.get(10, TimeUnit.SECONDS), "settled once the transaction committed");
            List<Inbound> read = kafka.readToEnd(status);
            assertEquals(1, read.size(), "the statuses the transaction committed are read");
            assertEquals("committed late", new String(read.get(0).value(), StandardCharsets.UTF_8));
        }
    }
}
