package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.KafkaUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's Kafka client properties reach the real clients: a properties file ({@code KAFKA_CONFIG}) with a
 * harmless property works against the broker, and a {@code KAFKA_SECURITY_PROTOCOL} the broker does not speak
 * makes connecting fail with a clear error, which it could not if the property were dropped.
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

        KafkaSettings tls = KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", file.toString(),
                "KAFKA_SECURITY_PROTOCOL", "SSL", "TOPIC_PREFIX", "props-it."));
        KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class,
                () -> KafkaGateway.connect(tls, Duration.ofSeconds(3)).close());
        assertTrue(e.getMessage().contains(bootstrap), e.getMessage());
    }
}
