package dev.keyway.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keyway.codec.JsonCodec;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's console: one page ({@code /}) kept current by server-sent events ({@code /events}) from the status
 * topic and the history topic, the latest statuses and the history kept as JSON ({@code /status.json},
 * {@code /history.json?migration=FN}), and the controls ({@code POST /api/command}: the
 * command's JSON, sent through {@link Migrations#send} as the command line sends it). Served by the JDK's
 * {@link HttpServer}.
 *
 * <p>Security: who may use it is {@link ConsoleAccess} (an open console listens on the loopback interface only, and
 * answers only requests addressed to a loopback name, against DNS rebinding). A state-changing request is a POST with
 * a JSON body of at most {@value #MAX_BODY} bytes, carrying this server's random CSRF token in the
 * {@value #CSRF_HEADER} header, from the same origin ({@code Origin} and {@code Sec-Fetch-Site}, when the client sends
 * them). Bad input gets a 4xx and a JSON {@code {"error": ...}} saying what is wrong. Close it to stop.
 */
public final class ConsoleServer implements AutoCloseable {

    public static final String CSRF_HEADER = "X-Keyway-Csrf";
    public static final int MAX_BODY = 16_384;
    /** The most pages streaming at once, and the most commands waiting for an answer at once. */
    static final int MAX_STREAMS = 32;
    static final int MAX_COMMANDS = 8;
    /** The most of a refused request's body read before answering. */
    static final long MAX_DRAIN = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
            + " connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    private final ConsoleOptions options;
    private final Migrations migrations;
    private final StatusBoard board = new StatusBoard();
    private final ConsoleJson json;
    private final CommandRequests requests;
    private final EventStream stream;
    private final String csrf;
    private final String page;
    private final HttpServer server;
    private final ExecutorService threads;
    private final AutoCloseable following;
    private final AutoCloseable followingHistory;
    private final AtomicInteger streams = new AtomicInteger();
    private final Semaphore commands = new Semaphore(MAX_COMMANDS);
    private volatile boolean stopped;

    /** Starts following the statuses and serving. */
    public ConsoleServer(ConsoleOptions options, Migrations migrations) {
        this.options = options;
        this.migrations = migrations;
        JsonCodec codec = new JsonCodec();
        this.json = new ConsoleJson(codec, migrations.replayTarget());
        this.requests = new CommandRequests(codec, options.host());
        this.stream = new EventStream(board, json);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.csrf = HexFormat.of().formatHex(random);
        this.page = StaticFiles.text("index.html").replace("{{csrf}}", csrf)
                .replace("{{since}}", String.valueOf(System.currentTimeMillis()))
                .replace("{{basic}}", String.valueOf(options.access().usesBasic()))
                .replace("{{maxSegments}}", String.valueOf(dev.keyway.migration.Migration.MAX_SEGMENTS));
        this.following = migrations.follow(board::update);
        this.followingHistory = migrations.followHistory(board::record);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keyway-console-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            server = HttpServer.create(new InetSocketAddress(options.bind(), options.port()), 0);
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException("cannot serve the console on " + options.bind().getHostAddress() + ":"
                    + options.port() + " (is the port taken? choose another with --port)", e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** This server's CSRF token (the page carries it; a script that drives the console reads it from the page). */
    String csrfToken() {
        return csrf;
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            Headers out = x.getResponseHeaders();
            out.set("X-Content-Type-Options", "nosniff");
            out.set("X-Frame-Options", "DENY");
            // not no-referrer: with it, a browser sends "Origin: null" on the login form's POST
            out.set("Referrer-Policy", "same-origin");
            out.set("Content-Security-Policy", CSP);
            out.set("Cache-Control", "no-store");
            route(x);
        } catch (CommandRequests.BadRequest e) {
            sendJson(x, 400, ConsoleJson.error(e.getMessage()));
        } catch (IOException e) {
            log.debug("a console client went away: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("console request {} {} failed", x.getRequestMethod(), x.getRequestURI().getPath(), e);
            sendJson(x, 500, ConsoleJson.error("the console failed: " + e.getMessage()));
        } finally {
            x.close();
        }
    }

    private void route(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        if (options.access().isOpen() && !RequestChecks.addressedToLoopback(x.getRequestHeaders())) {
            sendJson(x, 403, ConsoleJson.error("this console answers requests addressed to localhost or 127.0.0.1"
                    + " only: open it as http://127.0.0.1:" + port() + "/"));
            return;
        }
        if (path.equals("/health") || path.equals("/ready")) {
            // for probes, without credentials: they say only whether the console runs and reaches Kafka
            Optional<String> problem = path.equals("/ready") ? migrations.problem() : Optional.empty();
            expect(x, "GET", () -> send(x, problem.isPresent() ? 503 : 200, "text/plain; charset=utf-8",
                    problem.map(p -> "not ready: " + p).orElse(path.equals("/ready") ? "ready" : "ok") + "\n"));
            return;
        }
        if (StaticFiles.isPublic(path)) {
            if (!method.equals("GET")) {
                sendJson(x, 405, ConsoleJson.error(path + " answers GET only"));
            } else {
                StaticFiles.serve(x, path);
            }
            return;
        }
        if (path.equals("/login") && method.equals("POST")) {
            login(x);
            return;
        }
        String user = options.access().principal(x.getRequestHeaders());
        if (user == null) {
            refuse(x, path);
            return;
        }
        switch (path) {
            case "/", "/index.html" -> expect(x, "GET", () -> send(x, 200, "text/html; charset=utf-8", page));
            case "/events" -> expect(x, "GET", () -> events(x));
            case "/status.json" -> expect(x, "GET",
                    () -> sendJson(x, 200, json.statuses(board.statuses())));
            case "/history.json" -> expect(x, "GET",
                    () -> sendJson(x, 200, json.historyEntries(board.history(query(x, "migration")))));
            case "/api/command" -> expect(x, "POST", () -> command(x, user));
            default -> sendJson(x, 404, ConsoleJson.error("no such page: " + path));
        }
    }

    /** A query parameter's value (URL-decoded), or null. */
    private static String query(HttpExchange x, String name) {
        String q = x.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void expect(HttpExchange x, String method, Action action) throws IOException {
        if (!x.getRequestMethod().equals(method)) {
            x.getResponseHeaders().set("Allow", method);
            sendJson(x, 405, ConsoleJson.error(x.getRequestURI().getPath() + " answers " + method + " only"));
        } else {
            action.run();
        }
    }

    private void refuse(HttpExchange x, String path) throws IOException {
        if (options.access().usesBasic()) {
            x.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Keyway console\", charset=\"UTF-8\"");
        } else if (path.equals("/") && x.getRequestMethod().equals("GET")) {
            x.getResponseHeaders().set("Location", "/login.html");
            send(x, 303, "text/plain; charset=utf-8", "log in at /login.html");
            return;
        } else {
            x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"Keyway console\"");
        }
        sendJson(x, 401, ConsoleJson.error("this console needs "
                + (options.access().usesBasic() ? "a user and password (HTTP basic auth)"
                : "its token: an Authorization: Bearer header, or log in at /login.html")));
    }

    /** The login form's POST: the token, as a form field; a session cookie and back to the page when right. */
    private void login(HttpExchange x) throws IOException {
        byte[] body = RequestChecks.body(x, "application/x-www-form-urlencoded", MAX_BODY);
        if (body == null) {
            return;
        }
        if (!options.access().usesToken()) {
            sendJson(x, 404, ConsoleJson.error("this console has no token to log in with"));
            return;
        }
        if (!options.access().isToken(RequestChecks.formField(body, "token"))) {
            x.getResponseHeaders().set("Location", "/login.html#wrong");
            send(x, 303, "text/plain; charset=utf-8", "wrong token");
            return;
        }
        x.getResponseHeaders().add("Set-Cookie", ConsoleAccess.COOKIE + "=" + options.access().cookieValue()
                + "; Path=/; HttpOnly; SameSite=Strict");
        x.getResponseHeaders().set("Location", "/");
        send(x, 303, "text/plain; charset=utf-8", "logged in");
    }

    private void command(HttpExchange x, String user) throws IOException {
        String given = x.getRequestHeaders().getFirst(CSRF_HEADER);
        if (given == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))) {
            sendJson(x, 403, ConsoleJson.error("missing or wrong " + CSRF_HEADER + " header: reload the page"));
            return;
        }
        byte[] body = RequestChecks.body(x, "application/json", MAX_BODY);
        if (body == null) {
            return;
        }
        Command c = requests.parse(body, user);
        if (!commands.tryAcquire()) {
            sendJson(x, 429, ConsoleJson.error(MAX_COMMANDS + " commands are already waiting for the coordinator's"
                    + " answer: try again in a moment"));
            return;
        }
        try {
            log.info("console: {} {} by {}", c.type(), c.fn(), c.requestedBy());
            Event answer = migrations.send(c);
            sendJson(x, 200, ConsoleJson.answer(answer));
        } catch (RuntimeException e) {
            sendJson(x, 504, ConsoleJson.error("no answer to " + c.type() + " " + c.fn() + ": " + e.getMessage()));
        } finally {
            commands.release();
        }
    }

    private void events(HttpExchange x) throws IOException {
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            sendJson(x, 503, ConsoleJson.error(MAX_STREAMS + " pages are already open on this console"));
            return;
        }
        try {
            stream.serve(x, () -> stopped);
        } finally {
            streams.decrementAndGet();
        }
    }

    static void sendJson(HttpExchange x, int code, String body) throws IOException {
        send(x, code, "application/json; charset=utf-8", body);
    }

    static void send(HttpExchange x, int code, String type, String body) throws IOException {
        // the rest of a request body unread when the answer ends makes the JDK's server drop the connection, and
        // the client may then lose the answer: read what is left of it first (bounded; beyond, the client loses it)
        drain(x.getRequestBody());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(bytes);
            }
        }
    }

    /** Reads (not skip: the JDK's request stream passes a skip to the socket) what is left, up to {@link #MAX_DRAIN}. */
    private static void drain(java.io.InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        long read = 0;
        for (int n; read < MAX_DRAIN && (n = in.read(buffer)) > 0; ) {
            read += n;
        }
    }

    @Override
    public void close() {
        stopped = true;
        server.stop(0);
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            following.close();
            followingHistory.close();
        } catch (Exception e) {
            log.debug("closing the follows: {}", e.toString());
        }
        threads.shutdownNow();
    }
}
