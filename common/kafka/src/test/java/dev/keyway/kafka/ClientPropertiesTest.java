package dev.keyway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void readsTheToolsPropertiesFileAndKafkaVariablesWhichWin() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # as for kafka-topics.sh --command-config
                bootstrap.servers=broker1:9093
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="keyway" password="s3cret";
                ssl.truststore.location=/etc/kafka/truststore.jks
                """);
        KafkaSettings s = KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", file.toString(),
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-256", "KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit",
                "KAFKA_CLIENT_DNS__LOOKUP", "x", "KAFKA_HEAP_OPTS", "-Xmx1g", "TOPIC_PREFIX", "p."));
        Map<String, String> v = s.client().values();
        assertEquals("broker1:9093", s.bootstrapServers(), "from the file unless KAFKA_BOOTSTRAP_SERVERS is set");
        assertEquals("SASL_SSL", v.get("security.protocol"));
        assertEquals("SCRAM-SHA-256", v.get("sasl.mechanism"), "a variable wins over the file");
        assertEquals("changeit", v.get("ssl.truststore.password"));
        assertEquals("x", v.get("client.dns_lookup"), "a double underscore is an underscore");
        assertFalse(v.containsKey("heap.opts"), "Kafka's scripts' variables are not client properties");

        String shown = s.toString();
        assertFalse(shown.contains("s3cret") || shown.contains("changeit"), shown);
        assertTrue(shown.contains("sasl.jaas.config=[redacted]") && shown.contains("security.protocol=SASL_SSL"), shown);

        assertEquals("broker2:9092", KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", file.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", "broker2:9092")).bootstrapServers());
    }

    @Test
    void aMissingFileOrABadNumberIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", dir.resolve("nope.properties").toString())));
        assertTrue(e.getMessage().contains("KAFKA_CONFIG names") && e.getMessage().contains("nope.properties"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KafkaSettings.fromEnv(Map.of("TASK_PARTITIONS", "lots")))
                .getMessage().contains("TASK_PARTITIONS"));
        assertEquals(KafkaSettings.defaults(), KafkaSettings.fromEnv(Map.of()));
    }

    @Test
    void knowsWhichPropertiesAreSecrets() {
        for (String secret : new String[] {"sasl.jaas.config", "ssl.key.password", "ssl.keystore.password",
                "ssl.truststore.password", "sasl.oauthbearer.token.endpoint.url.secret", "ssl.keystore.key"}) {
            assertTrue(ClientProperties.isSecret(secret), secret);
        }
        assertFalse(ClientProperties.isSecret("security.protocol"));
        assertFalse(ClientProperties.isSecret("ssl.truststore.location"));
    }
}
