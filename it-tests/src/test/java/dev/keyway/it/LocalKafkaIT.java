package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.cli.LocalKafka;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/migrate kafka start} on a data directory whose cluster id starts with '-' (issue 16: about 1 start in 64
 * made one, which Kafka's storage tool read as an option, and every later start in that directory failed too).
 */
class LocalKafkaIT {

    @TempDir
    Path dir;

    @Test
    void aBrokerStartsInADirectoryWhoseClusterIdStartsWithADash() throws Exception {
        Files.writeString(dir.resolve("cluster.id"), "-CU7hqBmQH6MRkMjdJXQHQ\n", StandardCharsets.UTF_8);
        try (LocalKafka broker = LocalKafka.start(dir, freePort(), freePort(),
                System.getProperty("java.class.path"))) {
            assertTrue(LocalKafka.reachable(broker.bootstrapServers(), Duration.ofSeconds(30)));
            assertTrue(LocalKafka.stop(dir), "it was running, and is stopped");
        }
        assertFalse(LocalKafka.stop(dir), "nothing runs there any more");
        assertTrue(Files.readString(dir.resolve("logs").resolve("meta.properties")).contains("-CU7hqBmQH6MRkMjdJXQHQ"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void newClusterIdsNeverStartWithADash() {
        for (int i = 0; i < 10_000; i++) {
            assertFalse(LocalKafka.newClusterId().startsWith("-"));
        }
    }
}
