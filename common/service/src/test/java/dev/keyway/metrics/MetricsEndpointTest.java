package dev.keyway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private static HttpResponse<String> get(MetricsEndpoint endpoint, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsOkWhileItServesAndReadySaysWhyNotUntilItsReadinessFindsNoProblem() throws Exception {
        AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.of("the database does not answer"));
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, problem::get)) {
            assertEquals(200, get(endpoint, "/health").statusCode());
            assertEquals("ok\n", get(endpoint, "/health").body());
            HttpResponse<String> notReady = get(endpoint, "/ready");
            assertEquals(503, notReady.statusCode());
            assertEquals("not ready: the database does not answer\n", notReady.body());

            problem.set(Optional.empty());
            HttpResponse<String> ready = get(endpoint, "/ready");
            assertEquals(200, ready.statusCode());
            assertEquals("ready\n", ready.body());
            assertEquals(404, get(endpoint, "/readyz").statusCode(), "paths are exact");
        }
    }

    @Test
    void aReadinessThatThrowsIsNotReadyAndSaysSo() throws Exception {
        Readiness broken = () -> {
            throw new IllegalStateException("boom");
        };
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, broken)) {
            HttpResponse<String> answer = get(endpoint, "/ready");
            assertEquals(503, answer.statusCode());
            assertTrue(answer.body().contains("boom"), answer.body());
            assertEquals(200, get(endpoint, "/health").statusCode(), "alive all the same");
        }
    }

    @Test
    void servesItsRegistrysMetersAndTheJvmsForPrometheus() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            endpoint.registry().counter("keyway_example_total", "migration", "setDefaultValue").increment();
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.contains("keyway_example_total{migration=\"setDefaultValue\"} 1.0"), body);
            assertTrue(body.contains("jvm_memory_used_bytes"), body);
        }
    }

    @Test
    void givesTheUrlAPersonOpensWithTwoSlashesAndBracketsForIpv6() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            assertEquals("http://127.0.0.1:" + endpoint.port() + "/metrics", endpoint.url());
            assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint.url())).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(java.net.InetAddress.getByName("::1"), 0)) {
            assertEquals("http://[0:0:0:0:0:0:0:1]:" + endpoint.port() + "/metrics", endpoint.url());
        } catch (java.io.UncheckedIOException noIpv6) {
            // a machine without IPv6 on its loopback interface: the IPv4 form above is what it logs
        }
    }

    @Test
    void servesOnTheLoopbackInterfaceUnlessToldOtherwise() {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            assertTrue(endpoint.address().getAddress().isLoopbackAddress(), endpoint.address().toString());
        }
    }
}
