package dev.keyway.coordinator.notify;

import dev.keyway.codec.JsonCodec;
import dev.keyway.message.HistoryEntry;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * Tells webhooks what happened to runs: a JSON POST for each history entry of the kinds in {@link #NOTIFIED}, with a
 * Slack-compatible {@code text} and the entry's fields (docs/OPERATIONS.md, "Notifications"), to {@code NOTIFY_URL}
 * and to the named targets the run gave.
 *
 * <p>{@link #accept} only queues: the coordinator calls it once the Kafka transaction that wrote the entries
 * committed, and it returns at once whatever the endpoints do. Each endpoint has its own bounded queue, sends one
 * notification at a time in order, retries with exponential backoff and gives up with a warning
 * ({@link NotifyOptions}); a slow or dead endpoint delays only its own notifications. URLs appear in logs redacted
 * ({@link RedactedUrl}). Thread-safe.
 */
public final class Notifier {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    /** The kinds of entry that are notified: a run's start, pauses and resumes, and its end. */
    public static final Set<String> NOTIFIED = Set.of(HistoryEntry.STARTED, HistoryEntry.RETRIED, HistoryEntry.PAUSED,
            HistoryEntry.RESUMED, HistoryEntry.FAILED, HistoryEntry.CANCELED, HistoryEntry.SUCCEEDED);

    private final NotifyTargets targets;
    private final JsonCodec codec;
    private final Endpoint all;
    private final Map<String, Endpoint> named = new LinkedHashMap<>();

    /**
     * @param scheduler where the waits between attempts and the timeouts run
     */
    public Notifier(NotifyTargets targets, NotifyOptions options, JsonCodec codec, Scheduler scheduler) {
        this.targets = targets;
        this.codec = codec;
        HttpClient http = HttpClient.newBuilder().connectTimeout(options.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.all = targets.all() == null ? null : new Endpoint(targets.all(), http, options, scheduler);
        targets.named().forEach((name, url) -> named.put(name, new Endpoint(url, http, options, scheduler)));
    }

    /** The names a run may give ({@code run --notify}). */
    public Set<String> names() {
        return targets.names();
    }

    /**
     * Queues the notification of {@code entry}, if its kind is notified, for {@code NOTIFY_URL} and each of
     * {@code runTargets} (a name this coordinator does not have is skipped with a warning: the coordinator that
     * accepted the run had it). Returns at once.
     */
    public void accept(HistoryEntry entry, List<String> runTargets) {
        if (!NOTIFIED.contains(entry.kind())) {
            return;
        }
        byte[] body = codec.encodeNotification(text(entry), entry);
        List<Endpoint> to = new ArrayList<>();
        if (all != null) {
            to.add(all);
        }
        for (String name : runTargets) {
            Endpoint e = named.get(name);
            if (e == null) {
                log.warn("run {} of {} names the notification target '{}', which this coordinator does not have (set"
                        + " NOTIFY_URL_{}); its notification goes to the others", entry.runId(), entry.migration(), name,
                        name.toUpperCase(java.util.Locale.ROOT));
            } else if (!to.contains(e)) {
                to.add(e);
            }
        }
        to.forEach(e -> e.offer(body));
    }

    /**
     * The Slack-compatible text of an entry: {@code Keyway: setDefaultValue failed (run 3f2a..., by ann): 1500 rows;
     * in 3.2 s; document 5731; error: ...}.
     */
    static String text(HistoryEntry h) {
        StringBuilder b = new StringBuilder("Keyway: ").append(h.migration()).append(' ').append(h.kind());
        List<String> about = new ArrayList<>();
        if (h.runId() != null) {
            about.add("run " + h.runId());
        }
        if (h.by() != null) {
            about.add("by " + h.by());
        }
        if (!about.isEmpty()) {
            b.append(" (").append(String.join(", ", about)).append(')');
        }
        String details = h.details();
        return details.isEmpty() ? b.toString() : b.append(": ").append(details).toString();
    }

    /** Stops sending: what is queued or being retried is dropped. */
    public void close() {
        if (all != null) {
            all.close();
        }
        named.values().forEach(Endpoint::close);
    }
}
