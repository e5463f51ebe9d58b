package dev.keyway.coordinator.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One webhook: a bounded queue of notifications sent one at a time, in order, each retried with exponential backoff
 * until it is delivered or given up. Thread-safe; the queue is guarded by this object's lock.
 */
final class Endpoint {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final URI url;
    private final String redacted;
    private final HttpClient http;
    private final NotifyOptions options;
    private final Scheduler scheduler;
    private final Deque<byte[]> queue = new ArrayDeque<>();
    /** Whether a notification is being sent (and retried): the next waits for it. */
    private boolean busy;
    /** The latest send started, to stop it on close. */
    private Disposable current;
    private boolean closed;

    Endpoint(URI url, HttpClient http, NotifyOptions options, Scheduler scheduler) {
        this.url = url;
        this.redacted = RedactedUrl.of(url.toString());
        this.http = http;
        this.options = options;
        this.scheduler = scheduler;
    }

    /** Queues a body; when the queue is full the oldest waiting is dropped, with a warning. */
    synchronized void offer(byte[] body) {
        if (closed) {
            return;
        }
        if (queue.size() >= options.queueSize()) {
            queue.pollFirst();
            log.warn("notifications to {}: {} waiting (is it down?); dropped the oldest", redacted, queue.size() + 1);
        }
        queue.addLast(body);
        if (!busy) {
            next();
        }
    }

    /** Sends the next body queued, if any; called holding the lock. */
    private void next() {
        byte[] body = closed ? null : queue.pollFirst();
        busy = body != null;
        if (busy) {
            // a send that ends at once has run sent() (and the next one) before this assignment: current is then
            // only the latest but one, which close() need not stop
            current = deliver(body).doFinally(signal -> sent()).subscribe();
        }
    }

    private synchronized void sent() {
        busy = false;
        next();
    }

    /** One notification: attempts with backoff, then given up; never an error. */
    private Mono<Void> deliver(byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(options.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return Mono.defer(() -> Mono.fromFuture(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())))
                // the request's own timeout ends a hung exchange; this one also bounds a stalled connection
                .timeout(options.timeout().plus(Duration.ofSeconds(1)), scheduler)
                .flatMap(this::answered)
                .retryWhen(Retry.backoff(options.attempts() - 1, options.firstBackoff())
                        .maxBackoff(NotifyOptions.MAX_BACKOFF).scheduler(scheduler)
                        .filter(e -> !(e instanceof Refused))
                        .doBeforeRetry(s -> log.info("notification to {} failed ({}); trying again", redacted,
                                why(s.failure())))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorResume(e -> {
                    log.warn("gave up a notification to {}: {}", redacted, why(e));
                    return Mono.empty();
                });
    }

    /** A 2xx is delivered; 408, 429 and 5xx are tried again; another answer is a refusal, not tried again. */
    private Mono<Void> answered(HttpResponse<Void> response) {
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
            return Mono.empty();
        }
        boolean again = code == 408 || code == 429 || code >= 500;
        String what = "HTTP " + code;
        return Mono.error(again ? new IOException(what) : new Refused(what + " (not tried again: fix the endpoint)"));
    }

    /** What went wrong, with the URL redacted wherever the exception put it. */
    private String why(Throwable e) {
        String kind = e instanceof TimeoutException || e instanceof java.net.http.HttpTimeoutException
                ? "no answer within " + options.timeout().toMillis() + " ms" : e.getClass().getSimpleName();
        String message = RedactedUrl.in(e.getMessage(), url.toString());
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }

    synchronized void close() {
        closed = true;
        queue.clear();
        if (current != null) {
            current.dispose();
        }
    }

    /** An answer that another attempt would not change. */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }
}
