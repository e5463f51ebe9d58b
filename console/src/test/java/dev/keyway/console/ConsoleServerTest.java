package dev.keyway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsoleServerTest {

    private static final String TOKEN = "0123456789abcdef0123";
    private final FakeMigrations migrations = new FakeMigrations();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ConsoleServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ConsoleServer start(ConsoleAccess access) throws Exception {
        server = new ConsoleServer(new ConsoleOptions(InetAddress.getLoopbackAddress(), 0, access, "testhost"), migrations);
        return server;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String type, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", type);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> command(String json, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = ConsoleServer.CSRF_HEADER;
        all[1] = server.csrfToken();
        System.arraycopy(headers, 0, all, 2, headers.length);
        return post("/api/command", "application/json", json, all);
    }

    @Test
    void servesThePageWithThisServersCsrfTokenAndAStrictContentSecurityPolicy() throws Exception {
        start(ConsoleAccess.open());
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("content=\"" + server.csrfToken() + "\""), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals(200, get("/console.js").statusCode());
        assertEquals(404, get("/nothing").statusCode());
    }

    @Test
    void refusesToListenBeyondThisMachineWithoutATokenOrBasicAuth() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConsoleOptions(
                InetAddress.getByName("0.0.0.0"), 0, ConsoleAccess.open(), null));
        assertTrue(e.getMessage().contains("KEYWAY_CONSOLE_TOKEN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConsoleAccess.token("short"));
        assertNotNull(new ConsoleOptions(InetAddress.getByName("0.0.0.0"), 0, ConsoleAccess.token(TOKEN), null));
    }

    @Test
    void anOpenConsoleAnswersOnlyRequestsAddressedToLoopbackAgainstDnsRebinding() throws Exception {
        start(ConsoleAccess.open());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: evil.example:8088\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertTrue(status.contains(" 403 "), status);
        }
    }

    @Test
    void aTokenConsoleRefusesRequestsWithoutItAndTakesItAsBearerOrAsTheLoginCookie() throws Exception {
        start(ConsoleAccess.token(TOKEN));
        assertEquals(401, get("/status.json").statusCode());
        assertEquals(401, get("/events").statusCode());
        assertEquals(401, get("/status.json", "Authorization", "Bearer wrong-token-0123456789").statusCode());
        HttpResponse<String> page = get("/");
        assertEquals(303, page.statusCode());
        assertEquals("/login.html", page.headers().firstValue("Location").orElseThrow());
        assertEquals(200, get("/login.html").statusCode());
        assertEquals(200, get("/status.json", "Authorization", "Bearer " + TOKEN).statusCode());

        HttpResponse<String> wrong = post("/login", "application/x-www-form-urlencoded", "token=nope");
        assertEquals("/login.html#wrong", wrong.headers().firstValue("Location").orElseThrow());
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
        HttpResponse<String> login = post("/login", "application/x-www-form-urlencoded", "token=" + TOKEN);
        assertEquals(303, login.statusCode());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertTrue(!cookie.contains(TOKEN), "the cookie is not the token itself");
        assertEquals(200, get("/", "Cookie", cookie.substring(0, cookie.indexOf(';'))).statusCode());
    }

    @Test
    void basicAuthNamesTheUserAsWhoActed() throws Exception {
        start(ConsoleAccess.basic(Map.of("alice", "s3cret")));
        HttpResponse<String> refused = get("/status.json");
        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        String alice = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        String mallory = "Basic " + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, get("/status.json", "Authorization", mallory).statusCode());
        HttpResponse<String> sent = command("{\"type\":\"pause\",\"fn\":\"m\",\"requestedBy\":\"someone else\"}",
                "Authorization", alice);
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals(new Command.Pause("m", "alice via console@testhost"), migrations.sent.get(0));
    }

    @Test
    void sendsACommandWithTheOperatorAndShowsTheCoordinatorsAnswer() throws Exception {
        start(ConsoleAccess.open());
        HttpResponse<String> ok = command("{\"type\":\"configure\",\"fn\":\"m\",\"maxRowsPerSecond\":500,"
                + "\"requestedBy\":\"bob\"}", "Origin", "http://127.0.0.1:" + server.port(), "Sec-Fetch-Site", "same-origin");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{\"answer\":\"accepted\",\"migration\":\"m\",\"command\":\"configure\",\"action\":\"done\",\"detail\":null}",
                ok.body());
        Command.Configure c = assertInstanceOf(Command.Configure.class, migrations.sent.get(0));
        assertEquals(500, c.maxRowsPerSecond());
        assertEquals("bob via console@testhost", c.requestedBy());

        migrations.answers = c2 -> new Event.CommandRejected(c2.fn(), c2.type(), "m is not paused: \"resume\" needs <a paused run>");
        HttpResponse<String> no = command("{\"type\":\"resume\",\"fn\":\"m\",\"requestedBy\":\"bob\"}");
        assertEquals(200, no.statusCode());
        assertTrue(no.body().contains("\"answer\":\"rejected\"") && no.body().contains("\\\"resume\\\" needs \\u003ca paused run\\u003e"),
                no.body());

        HttpResponse<String> run = command("{\"type\":\"run\",\"fn\":\"m\",\"cursor\":null,\"dryRun\":true,\"batchSize\":50,"
                + "\"requestedBy\":\"bob\"}");
        assertEquals(200, run.statusCode());
        Command.Run r = assertInstanceOf(Command.Run.class, migrations.sent.get(2));
        assertTrue(r.dryRun() && r.batchSize() == 50 && r.startAt().equals(Command.StartAt.beginning()), r.toString());
    }

    @Test
    void theVerifyAndFixButtonsRunsPassTheirKindAndAnUnknownKindIsRefused() throws Exception {
        start(ConsoleAccess.open());
        assertEquals(200, command("{\"type\":\"run\",\"fn\":\"m\",\"kind\":\"verify\",\"requestedBy\":\"bob\"}").statusCode());
        assertEquals(200, command("{\"type\":\"run\",\"fn\":\"m\",\"kind\":\"fix\",\"requestedBy\":\"bob\"}").statusCode());
        assertEquals(Command.Run.of("m").withKind(RunKind.VERIFY).withRequestedBy("bob via console@testhost"),
                migrations.sent.get(0));
        assertEquals(Command.Run.of("m").withKind(RunKind.FIX).withRequestedBy("bob via console@testhost"),
                migrations.sent.get(1));
        assertError(400, "unknown run kind 'rollback'", command("{\"type\":\"run\",\"fn\":\"m\",\"kind\":\"rollback\","
                + "\"requestedBy\":\"bob\"}"));
        assertError(400, "'kind' must be a string", command("{\"type\":\"run\",\"fn\":\"m\",\"kind\":1,"
                + "\"requestedBy\":\"bob\"}"));
        assertEquals(2, migrations.sent.size(), "nothing more sent: " + migrations.sent);
    }

    @Test
    void aVerifysFindingsReachThePage() throws Exception {
        start(ConsoleAccess.open());
        ObjectNode before = JsonNodeFactory.instance.objectNode().put("id", 7).put("counter", 1);
        migrations.push(MigrationStatus.unknown("m", 100).change().state(MigrationState.VERIFY_FAILED)
                .kind(RunKind.VERIFY).runId("v1").processed(3_000).total(3_000L)
                .verification(new MigrationStatus.Verification(3_000, List.of(new Event.DocumentChange("7", before,
                        before.deepCopy().put("counter", 2))))).build());
        String status = get("/status.json").body();
        assertTrue(status.contains("\"state\":\"verifyFailed\"") && status.contains("\"runKind\":\"verify\"")
                && status.contains("\"mismatched\":3000")
                && status.contains("\"verifySample\":[{\"id\":\"7\",\"before\":{\"id\":7,\"counter\":1},"
                + "\"after\":{\"id\":7,\"counter\":2}}]"), status);
    }

    @Test
    void refusesCrossSiteRequestsAndRequestsWithoutTheCsrfToken() throws Exception {
        start(ConsoleAccess.open());
        String pause = "{\"type\":\"pause\",\"fn\":\"m\",\"requestedBy\":\"bob\"}";
        assertEquals(403, post("/api/command", "application/json", pause).statusCode());
        assertEquals(403, post("/api/command", "application/json", pause, ConsoleServer.CSRF_HEADER, "0".repeat(48)).statusCode());
        assertEquals(403, command(pause, "Origin", "http://evil.example").statusCode());
        assertEquals(403, command(pause, "Sec-Fetch-Site", "cross-site").statusCode());
        assertEquals(405, get("/api/command").statusCode(), "state changes are POSTs only");
        assertTrue(migrations.sent.isEmpty(), "nothing sent: " + migrations.sent);
    }

    @Test
    void badInputGetsAClearClientError() throws Exception {
        start(ConsoleAccess.open());
        assertError(415, "application/json", command0("text/plain", "{\"type\":\"pause\",\"fn\":\"m\"}"));
        assertError(400, "command", command("{not json"));
        assertError(400, "unknown command type", command("{\"type\":\"drop\",\"fn\":\"m\",\"requestedBy\":\"bob\"}"));
        assertError(400, "not 'cancelAll'", command("{\"type\":\"cancelAll\",\"requestedBy\":\"bob\"}"));
        assertError(400, "operator", command("{\"type\":\"pause\",\"fn\":\"m\"}"));
        assertError(400, "maxRowsPerSecond", command("{\"type\":\"run\",\"fn\":\"m\",\"maxRowsPerSecond\":-5,\"requestedBy\":\"b\"}"));
        assertError(400, "at most 100", command("{\"type\":\"pause\",\"fn\":\"m\",\"requestedBy\":\"" + "b".repeat(150) + "\"}"));
        assertTrue(migrations.sent.isEmpty(), "nothing sent: " + migrations.sent);
        migrations.answers = c -> {
            throw new IllegalStateException("no answer from a coordinator within 30 s");
        };
        assertError(504, "no answer from a coordinator", command("{\"type\":\"pause\",\"fn\":\"m\",\"requestedBy\":\"b\"}"));
        // last: the server closes the connection of a body it did not read whole
        assertError(413, "at most " + ConsoleServer.MAX_BODY, command("{\"x\":\"" + "a".repeat(ConsoleServer.MAX_BODY) + "\"}"));
    }

    private HttpResponse<String> command0(String type, String body) throws Exception {
        return post("/api/command", type, body, ConsoleServer.CSRF_HEADER, server.csrfToken());
    }

    private static void assertError(int code, String says, HttpResponse<String> r) {
        assertEquals(code, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"error\":") && r.body().contains(says), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void streamsEveryMigrationThenEachChangeAsServerSentEvents() throws Exception {
        start(ConsoleAccess.open());
        migrations.push(FakeMigrations.running("a", 100, 1_000));
        HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(uri("/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals("text/event-stream; charset=utf-8", events.headers().firstValue("Content-Type").orElseThrow());
        java.util.Iterator<String> lines = events.body().iterator();
        assertEquals("retry: 2000", lines.next());
        assertEquals("", lines.next());
        assertEquals("event: migration", lines.next());
        assertEquals("id: 1", lines.next());
        String data = lines.next();
        assertTrue(data.startsWith("data: {\"status\":{\"name\":\"a\""), data);
        assertEquals("", lines.next());

        migrations.push(FakeMigrations.running("a", 400, 3_000));
        assertEquals("event: migration", lines.next());
        assertEquals("id: 2", lines.next());
        Matcher m = Pattern.compile("\"rowsPerSecond\":([0-9.]+),\"samples\":\\[\\[1000,100],\\[3000,400]]").matcher(lines.next());
        assertTrue(m.find(), "the samples and the rate over them");
        assertEquals("150.0", m.group(1));
        events.body().close();
    }

    @Test
    void streamsTheHistoryKeptThenEachNewEntryAndServesItAsJson() throws Exception {
        start(ConsoleAccess.open());
        migrations.push(new HistoryEntry(HistoryEntry.STARTED, "a", "r1", 1_000, "ada", "run", null, null, null));
        HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(uri("/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        java.util.Iterator<String> lines = events.body().iterator();
        assertEquals("retry: 2000", lines.next());
        assertEquals("", lines.next());
        assertEquals("event: history", lines.next());
        assertEquals("id: 1", lines.next());
        String started = lines.next();
        assertTrue(started.startsWith("data: {\"entry\":{\"type\":\"historyEntry\",\"kind\":\"started\""), started);
        assertEquals("", lines.next());

        migrations.push(new HistoryEntry(HistoryEntry.PAUSED, "a", "r1", 2_000, "bob", "pause", null, null,
                new HistoryEntry.Outcome(40, 1_000L, null, null)));
        assertEquals("event: history", lines.next());
        assertEquals("id: 2", lines.next());
        String paused = lines.next();
        assertTrue(paused.contains("\"kind\":\"paused\"") && paused.contains("\"details\":\"40 rows; in 1.0 s\""),
                paused);
        events.body().close();

        migrations.push(new HistoryEntry(HistoryEntry.STARTED, "b", "r2", 3_000, "ada", "run", null, null, null));
        HttpResponse<String> ofA = get("/history.json?migration=a");
        assertEquals(200, ofA.statusCode());
        assertTrue(ofA.body().startsWith("[{\"type\":\"historyEntry\",\"kind\":\"started\",\"migration\":\"a\""),
                ofA.body());
        assertEquals(2, ofA.body().split("historyEntry").length - 1, "a's two entries, not b's: " + ofA.body());
        assertEquals(3, get("/history.json").body().split("historyEntry").length - 1);
    }

    @Test
    void servesHealthAndReadinessToProbesWithoutCredentials() throws Exception {
        start(ConsoleAccess.token(TOKEN));
        assertEquals(200, get("/health").statusCode());
        assertEquals("ready\n", get("/ready").body());
        migrations.problem = "Kafka does not answer: timed out";
        HttpResponse<String> notReady = get("/ready");
        assertEquals(503, notReady.statusCode());
        assertEquals("not ready: Kafka does not answer: timed out\n", notReady.body());
        assertEquals(200, get("/health").statusCode(), "alive all the same");
        assertEquals(401, get("/status.json").statusCode(), "the rest still needs the token");
    }
}
