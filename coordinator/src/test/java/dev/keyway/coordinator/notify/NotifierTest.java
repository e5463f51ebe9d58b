package dev.keyway.coordinator.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.keyway.codec.JsonCodec;
import dev.keyway.message.HistoryEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Delivery to a local HTTP receiver: retries with backoff, refusals, giving up, a hung endpoint, redaction. */
class NotifierTest {

    private static final HistoryEntry FAILED = new HistoryEntry(HistoryEntry.FAILED, "a", "run-1", 5000, null, null,
            null, null, new HistoryEntry.Outcome(40, 1200L, "segment 0, cursor [3]: boom", "4"));
    /** A secret in every place a webhook URL may hold one. */
    private static final String SECRET_PATH = "/services/T000/B000/s3cr3tT0k3n?token=qs-s3cr3t";

    private final Scheduler scheduler = Schedulers.newSingle("notifier-test");
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private HttpServer server;
    private Notifier notifier;

    /** A receiver on a free port answering each POST with the next code {@code codes} gives (0: never answers). */
    private URI receiver(IntSupplier codes) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int code = codes.getAsInt();
            if (code == 0) {
                return; // hangs: never answers
            }
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://user:pw-s3cr3t@127.0.0.1:" + server.getAddress().getPort() + SECRET_PATH);
    }

    private Notifier notifier(URI url, NotifyOptions options) {
        notifier = new Notifier(new NotifyTargets(url, Map.of()), options, new JsonCodec(), scheduler);
        return notifier;
    }

    private static NotifyOptions fast() {
        return NotifyOptions.defaults().withFirstBackoff(Duration.ofMillis(20)).withAttempts(4)
                .withTimeout(Duration.ofSeconds(2));
    }

    private void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; bodies " + bodies);
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
        }
        if (server != null) {
            server.stop(0);
        }
        scheduler.dispose();
    }

    @Test
    void aFailingEndpointIsTriedAgainWithBackoffUntilItTakesTheNotification() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI url = receiver(() -> calls.incrementAndGet() <= 2 ? 503 : 200);
        notifier(url, fast()).accept(FAILED, List.of());
        await("three attempts", () -> bodies.size() == 3);
        String body = bodies.get(2);
        assertTrue(body.startsWith("{\"text\":\"Keyway: a failed (run run-1): 40 rows; in 1.2 s; document 4; error:"
                + " segment 0, cursor [3]: boom\",\"event\":\"failed\",\"kind\":\"failed\","
                + "\"migration\":\"a\""), body);
        assertEquals(bodies.get(0), body, "the same notification each time");
    }

    @Test
    void aRefusalIsNotTriedAgainAndTheNextNotificationStillGoes() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI url = receiver(() -> calls.incrementAndGet() == 1 ? 404 : 200);
        Notifier n = notifier(url, fast());
        n.accept(FAILED, List.of());
        n.accept(new HistoryEntry(HistoryEntry.SUCCEEDED, "b", "run-2", 6000, null, null, null, null,
                new HistoryEntry.Outcome(10, 10L, null, null)), List.of());
        await("two notifications", () -> bodies.size() == 2);
        assertTrue(bodies.get(1).contains("\"event\":\"succeeded\""), bodies.get(1));
    }

    @Test
    void entriesThatAreNotNotifiedSendNothing() throws Exception {
        Notifier n = notifier(receiver(() -> 200), fast());
        n.accept(new HistoryEntry(HistoryEntry.CONFIGURED, "a", "r", 1, "x", "configure", null, null, null), List.of());
        n.accept(new HistoryEntry(HistoryEntry.REJECTED, "a", null, 1, "x", "pause", "no", null, null), List.of());
        n.accept(FAILED, List.of());
        await("the failure", () -> bodies.size() == 1);
        assertTrue(bodies.get(0).contains("\"event\":\"failed\""));
    }

    @Test
    void aHungEndpointNeverHoldsTheCallerAndItsQueueDropsTheOldest() throws Exception {
        URI url = receiver(() -> 0);
        Notifier n = notifier(url, fast().withQueueSize(3).withTimeout(Duration.ofSeconds(30)));
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            n.accept(FAILED, List.of());
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < 2000, "accept only queues, but 1000 took " + tookMillis + " ms");
        await("the first attempt", () -> bodies.size() == 1);
        assertEquals(1, bodies.size(), "one at a time: the others wait (at most 3) for the hung one");
    }

    @Test
    void giveUpIsAWarningWithTheUrlRedacted() throws Exception {
        URI url = receiver(() -> 500);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            notifier(url, fast().withAttempts(2)).accept(FAILED, List.of());
            await("the warning", () -> captured.toString(StandardCharsets.UTF_8).contains("gave up a notification"));
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, bodies.size());
        assertTrue(log.contains("http://***@127.0.0.1:" + server.getAddress().getPort() + "/services/***"), log);
        assertTrue(log.contains("HTTP 500"), log);
        for (String secret : List.of("s3cr3t", "T000", "pw-")) {
            assertFalse(log.contains(secret), "a secret in the log: " + log);
        }
    }

    @Test
    void urlsAreRedactedOfUserInfoQueryAndPathTokens() {
        assertEquals("https://hooks.slack.com/services/***",
                RedactedUrl.of("https://hooks.slack.com/services/T0001/B0002/XXXXXXXX"));
        assertEquals("https://***@example.com:8443/hook/***",
                RedactedUrl.of("https://me:token@example.com:8443/hook?key=abc"));
        assertEquals("https://discord.com/api/***", RedactedUrl.of("https://discord.com/api/webhooks/1/tok"));
        assertEquals("http://example.com/notify", RedactedUrl.of("http://example.com/notify"));
        assertEquals("***", RedactedUrl.of("not a url with a secret"));
        assertEquals("failed to reach https://h.example/a/***",
                RedactedUrl.in("failed to reach https://h.example/a/b/c", "https://h.example/a/b/c"));
    }

    @Test
    void targetsComeFromTheEnvironmentByLowerCaseNameAndABadOneIsNamedWithoutItsValue() {
        NotifyTargets t = NotifyTargets.fromEnv(Map.of("NOTIFY_URL", "https://a.example/x",
                "NOTIFY_URL_OPS", "https://hooks.slack.com/services/T/B/secret", "NOTIFY_URL_", "https://ignored",
                "OTHER", "x"));
        assertEquals(URI.create("https://a.example/x"), t.all());
        assertEquals(java.util.Set.of("ops"), t.names());
        assertEquals("every run: https://a.example/x, ops: https://hooks.slack.com/services/***", t.describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NotifyTargets.fromEnv(Map.of("NOTIFY_URL_DEV", "ftp://u:secret@host/x")));
        assertTrue(e.getMessage().startsWith("NOTIFY_URL_DEV must be an http or https URL"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void theTextSaysWhatHappenedToWhichRunByWhom() {
        assertEquals("Keyway: a paused (run r1, by health): lag 12 s > 5 s; 10 rows; in 2.0 s",
                Notifier.text(new HistoryEntry(HistoryEntry.PAUSED, "a", "r1", 1, "health", null, "lag 12 s > 5 s",
                        null, new HistoryEntry.Outcome(10, 2000L, null, null))));
    }
}
