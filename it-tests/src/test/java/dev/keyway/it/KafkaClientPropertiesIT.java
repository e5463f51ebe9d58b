package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.KafkaUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's Kafka client properties reach the real clients: a properties file ({@code KAFKA_CONFIG}) with a
 * harmless property works against the broker, and a {@code KAFKA_SECURITY_PROTOCOL} the broker does not speak
 * makes connecting fail with a clear error, which it could not if the property were dropped. The topics it makes
 * have the settings CONTRACTS.md names.
 */
class KafkaClientPropertiesIT {

    @TempDir
    Path dir;

    @Test
    void propertiesFromTheFileAndTheEnvironmentAreGivenToTheClients() throws Exception {
        String bootstrap = KafkaTestCluster.shared().bootstrapServers();
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=" + bootstrap + "\nclient.id=keyway-it-properties\n");
        KafkaSettings fine = KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", file.toString(), "TOPIC_PREFIX", "props-it."));
        try (KafkaGateway kafka = KafkaGateway.connect(fine, Duration.ofSeconds(20))) {
            kafka.ensureTopics();
        }
        // issue 15, 8: the status topic is made to be compacted as it goes, not to hold its whole history
        ConfigResource status = new ConfigResource(ConfigResource.Type.TOPIC, fine.topics().status());
        Config made = KafkaTestCluster.shared().admin().describeConfigs(List.of(status)).all().get().get(status);
        assertEquals("compact", made.get("cleanup.policy").value());
        assertEquals("16777216", made.get("segment.bytes").value());
        assertEquals("600000", made.get("segment.ms").value());
        assertEquals("0.1", made.get("min.cleanable.dirty.ratio").value());

        KafkaSettings tls = KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", file.toString(),
                "KAFKA_SECURITY_PROTOCOL", "SSL", "TOPIC_PREFIX", "props-it."));
        KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class,
                () -> KafkaGateway.connect(tls, Duration.ofSeconds(3)).close());
        assertTrue(e.getMessage().contains(bootstrap), e.getMessage());
    }
}
