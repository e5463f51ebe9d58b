package dev.keyway.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.metrics.MetricsEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MicrometerBatchObserverTest {

    @Test
    void batchesAndDocumentsAreServedForPrometheus() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            MicrometerBatchObserver observer = new MicrometerBatchObserver(endpoint.registry());
            observer.batch("setDefaultValue", "completed", 100, 5_000_000);
            observer.batch("setDefaultValue", "failed", 100, 5_000_000);
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint.url())).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.contains("keyway_batches_total{migration=\"setDefaultValue\",outcome=\"completed\"} 1.0"), body);
            assertTrue(body.contains("keyway_batches_total{migration=\"setDefaultValue\",outcome=\"failed\"} 1.0"), body);
            assertTrue(body.contains("keyway_documents_total{migration=\"setDefaultValue\"} 100.0"), body);
        }
    }
}
