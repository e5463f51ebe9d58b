package dev.keyway.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A Prometheus scrape endpoint ({@code GET /metrics}) for a service's metrics: the batch metrics of
 * {@link MetricNames} and the JVM's. Close it to stop serving.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
        this.registry = registry;
        this.server = server;
    }

    /** Serves on {@code port} (0 = any free port) of the loopback interface only. */
    public static MetricsEndpoint start(int port) {
        return start(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * Serves on {@code port} (0 = any free port) of the address {@code bind}: the loopback address keeps the
     * endpoint private to the machine; {@code 0.0.0.0} opens it to the network (a scraper on another host).
     */
    public static MetricsEndpoint start(InetAddress bind, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
            server.createContext("/metrics", exchange -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return new MetricsEndpoint(registry, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": set METRICS_PORT to a free port", e);
        }
    }

    /** The registry this endpoint serves, for the service's own meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Where it serves: the bound address and port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * The address a scraper or a person opens, {@code http://127.0.0.1:9464/metrics} ({@code http://[::1]:9464/metrics}
     * for IPv6): for the log, never the socket address's own form ({@code /127.0.0.1:9464}).
     */
    public String url() {
        InetAddress bound = server.getAddress().getAddress();
        String host = bound.getHostAddress();
        return "http://" + (bound instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + port() + "/metrics";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
