package dev.keyway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

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
