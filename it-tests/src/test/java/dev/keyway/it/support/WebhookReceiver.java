package dev.keyway.it.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A small local HTTP receiver for webhooks (the JDK's server): records the body of each POST by path and answers 200,
 * except on paths made to hang (they never answer).
 */
public final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, List<String>> bodies = new ConcurrentHashMap<>();

    public WebhookReceiver(String... hangingPaths) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        List<String> hanging = List.of(hangingPaths);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            bodies.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>())
                    .add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (hanging.contains(path)) {
                return;
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL of a path on this receiver. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The bodies POSTed to {@code path} so far, in the order received. */
    public List<String> bodies(String path) {
        return new ArrayList<>(bodies.getOrDefault(path, List.of()));
    }

    /** Waits until the bodies of {@code path} match, and returns them. */
    public List<String> await(String path, Predicate<List<String>> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(bodies(path))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the webhook " + path + " did not receive what was expected within "
                        + timeout.toSeconds() + " s; it received " + bodies(path));
            }
            Thread.sleep(20);
        }
        return bodies(path);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
