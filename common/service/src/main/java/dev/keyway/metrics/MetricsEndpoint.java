package dev.keyway.metrics;

import com.sun.net.httpserver.HttpExchange;
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
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

/**
 * A service's HTTP endpoint for monitoring: {@code GET /metrics} (Prometheus: the metrics of {@link MetricNames} and
 * the JVM's), {@code GET /health} (liveness: 200 {@code ok} while the process serves) and {@code GET /ready}
 * (readiness: 200 {@code ready} when its {@link Readiness} finds no problem, else 503 {@code not ready: <why>}), all
 * plain text. Close it to stop serving.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final String PLAIN = "text/plain; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
        this.registry = registry;
        this.server = server;
    }

    /** Serves on {@code port} (0 = any free port) of the loopback interface only; always ready. */
    public static MetricsEndpoint start(int port) {
        return start(InetAddress.getLoopbackAddress(), port, Readiness.always());
    }

    /** Serves on {@code port} of the address {@code bind} (see {@link #start(InetAddress, int, Readiness)}); always ready. */
    public static MetricsEndpoint start(InetAddress bind, int port) {
        return start(bind, port, Readiness.always());
    }

    /**
     * Serves on {@code port} (0 = any free port) of the address {@code bind}: the loopback address keeps the
     * endpoint private to the machine; {@code 0.0.0.0} opens it to the network (a scraper on another host).
     *
     * @param readiness what {@code /ready} answers: asked at each request, so it must answer at once
     */
    public static MetricsEndpoint start(InetAddress bind, int port, Readiness readiness) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
            server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape()));
            server.createContext("/health", exchange -> respond(exchange, 200, PLAIN, "ok\n"));
            server.createContext("/ready", exchange -> {
                Optional<String> problem = problem(readiness);
                respond(exchange, problem.isEmpty() ? 200 : 503, PLAIN,
                        problem.map(p -> "not ready: " + p + "\n").orElse("ready\n"));
            });
            server.start();
            return new MetricsEndpoint(registry, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": set METRICS_PORT to a free port", e);
        }
    }

    /**
     * Where a service's environment says to serve: {@code METRICS_PORT} (0 = any free port), on {@code METRICS_BIND}
     * (an address of this host; the loopback interface unless set, {@code 0.0.0.0} for all); empty when
     * {@code METRICS_PORT} is unset. An {@link IllegalArgumentException} says which variable is wrong.
     */
    public static Optional<InetSocketAddress> addressFromEnv(Map<String, String> env) {
        String port = env.get("METRICS_PORT");
        if (port == null || port.isBlank()) {
            return Optional.empty();
        }
        int number;
        try {
            number = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65_535) {
            throw new IllegalArgumentException("METRICS_PORT must be a port number between 0 and 65535, but was '"
                    + port + "'");
        }
        String bind = env.get("METRICS_BIND");
        try {
            InetAddress address = bind == null || bind.isBlank() ? InetAddress.getLoopbackAddress()
                    : InetAddress.getByName(bind.trim());
            return Optional.of(new InetSocketAddress(address, number));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("METRICS_BIND must be an address of this host, but was '" + bind + "'", e);
        }
    }

    /** A readiness that fails is a problem to report, not a reason to answer nothing. */
    private static Optional<String> problem(Readiness readiness) {
        try {
            return readiness.problem();
        } catch (RuntimeException e) {
            return Optional.of("the readiness check failed: " + e);
        }
    }

    /** Answers one request (any method; the paths are exact, so {@code /readyx} is 404). */
    private static void respond(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        boolean exact = exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath());
        exchange.getResponseHeaders().add("Content-Type", type);
        if (!exact) {
            body = "no such page: /metrics, /health and /ready are served\n".getBytes(StandardCharsets.UTF_8);
            status = 404;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
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
