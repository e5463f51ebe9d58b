package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.metrics.MetricsEndpoint;
import dev.keyway.runtime.ReadinessWatch;
import dev.keyway.store.Store;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /ready} on a real broker and a real database: ready while both answer, 503 saying which once the database is
 * dropped under the service, and once its broker stops; {@code /health} stays 200 throughout.
 */
class ReadinessIT {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetricsEndpoint endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyWhileKafkaAndTheDatabaseAnswerAndNotOnceEitherGoesAway() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        KafkaTestCluster broker = KafkaTestCluster.inProcess(1);
        boolean brokerUp = true;
        try (KafkaGateway kafka = KafkaGateway.connect(KafkaSettings.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS",
                     broker.bootstrapServers())), Duration.ofSeconds(20));
             Store store = Store.open(Sql.options(db))) {
            ReadinessWatch watch = ReadinessWatch.of(kafka, store, Clock.systemUTC());
            try (MetricsEndpoint endpoint = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, watch)) {
                assertEquals(503, get(endpoint, "/ready").statusCode(), "not checked yet");
                watch.checkNow();
                assertEquals("ready\n", get(endpoint, "/ready").body());

                db.close();
                watch.checkNow();
                HttpResponse<String> noDatabase = get(endpoint, "/ready");
                assertEquals(503, noDatabase.statusCode());
                assertTrue(noDatabase.body().startsWith("not ready: the database does not answer: "), noDatabase.body());
                assertEquals(200, get(endpoint, "/health").statusCode(), "alive all the same");

                broker.close();
                brokerUp = false;
                watch.checkNow();
                HttpResponse<String> noKafka = get(endpoint, "/ready");
                assertEquals(503, noKafka.statusCode());
                assertTrue(noKafka.body().startsWith("not ready: Kafka does not answer: no Kafka broker at "),
                        noKafka.body());
                assertEquals(200, get(endpoint, "/health").statusCode());
            }
        } finally {
            if (brokerUp) {
                broker.close();
            }
            db.close();
        }
    }
}
