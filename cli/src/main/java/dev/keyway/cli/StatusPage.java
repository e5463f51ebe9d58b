package dev.keyway.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keyway.client.MigrationsClient;
import dev.keyway.codec.JsonCodec;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;

/**
 * A live status page: {@code /} is an HTML table that refreshes itself every two seconds,
 * {@code /status.json} the latest status of every migration, both kept current by following the
 * status topic.
 */
public final class StatusPage implements AutoCloseable {

    private final Map<String, MigrationStatus> latest = new ConcurrentHashMap<>();
    private final JsonCodec codec;
    private final HttpServer server;
    private final Disposable following;

    /** Serves on {@code port} (0 = any free port) of the loopback interface only. */
    public StatusPage(MigrationsClient client, int port) {
        this(client, InetAddress.getLoopbackAddress(), port);
    }

    /** Serves on {@code port} of {@code bind}: {@code 0.0.0.0} opens the page to the network. */
    public StatusPage(MigrationsClient client, InetAddress bind, int port) {
        this.codec = client.codec();
        this.following = client.statusChanges().subscribe(s -> latest.put(s.name(), s));
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        } catch (IOException e) {
            following.dispose();
            throw new UncheckedIOException("cannot serve the status page on port " + port, e);
        }
        server.createContext("/status.json", x -> send(x, "application/json",
                codec.pretty(new TreeMap<>(latest).values())));
        server.createContext("/", x -> send(x, "text/html; charset=utf-8", html()));
        server.start();
    }

    /** Where it serves: the bound address and port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private String html() {
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"refresh\" content=\"2\"><title>Keyway migrations</title><style>"
                + "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.failed{background:#fdd}"
                + ".success{background:#dfd}.inProgress{background:#ffd}.canceled{background:#eee}"
                + "</style></head><body><h1>Migrations</h1><table><tr><th>migration</th><th>state</th>"
                + "<th>processed</th><th>done</th><th>rows/s</th><th>ETA</th><th>segments</th><th>cursor</th>"
                + "<th>error</th><th>started by</th></tr>");
        for (MigrationStatus s : new TreeMap<>(latest).values()) {
            long doneSegments = s.progress().segments().stream().filter(SegmentStatus::done).count();
            b.append("<tr class=\"").append(s.state().json()).append("\"><td>").append(esc(s.name()))
                    .append("</td><td>").append(s.state().json())
                    .append("</td><td>").append(String.format("%,d", s.progress().processed()))
                    .append("</td><td>").append(StatusTable.percent(s))
                    .append("</td><td>").append(StatusTable.rate(s, now))
                    .append("</td><td>").append(StatusTable.eta(s, now))
                    .append("</td><td>").append(doneSegments).append('/').append(s.progress().segments().size())
                    .append("</td><td>").append(esc(String.valueOf(s.progress().cursor())))
                    .append("</td><td>").append(esc(s.failure().error() == null ? "" : s.failure().error()))
                    .append("</td><td>").append(esc(s.run().requestedBy() == null ? "" : s.run().requestedBy()))
                    .append("</td></tr>");
        }
        return b.append("</table><p><a href=\"/status.json\">status.json</a></p></body></html>").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void send(HttpExchange x, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        following.dispose();
    }
}
