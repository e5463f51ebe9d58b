package dev.keyway.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.kafka.ClientProperties;
import dev.keyway.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReactorKafkaGatewayTest {

    private static KafkaSettings with(Map<String, String> client) {
        return KafkaSettings.defaults().withClient(new ClientProperties(client));
    }

    @Test
    void theWaitForTheBrokerIsTheLongerOfKeywaysAndTheOperatorsDefaultApiTimeout() {
        Duration ten = Duration.ofSeconds(10);
        assertEquals(ten, ReactorKafkaGateway.patience(with(Map.of()), ten));
        assertEquals(Duration.ofMinutes(1), ReactorKafkaGateway.patience(with(Map.of("default.api.timeout.ms", "60000")), ten));
        assertEquals(ten, ReactorKafkaGateway.patience(with(Map.of("default.api.timeout.ms", "500")), ten),
                "never shorter than what the caller needs");
        String m = assertThrows(IllegalArgumentException.class,
                () -> ReactorKafkaGateway.patience(with(Map.of("default.api.timeout.ms", "1m")), ten)).getMessage();
        assertTrue(m.contains("default.api.timeout.ms") && m.contains("'1m'"), m);
    }
}
