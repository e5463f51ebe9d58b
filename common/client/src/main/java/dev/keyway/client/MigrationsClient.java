package dev.keyway.client;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What another service does to drive migrations: produce commands, read answers and statuses. */
public final class MigrationsClient {

    private static final Logger log = LoggerFactory.getLogger(MigrationsClient.class);

    private final KafkaGateway kafka;
    private final Topics topics;
    private final JsonCodec codec = new JsonCodec();

    public MigrationsClient(KafkaGateway kafka) {
        this.kafka = kafka;
        this.topics = kafka.settings().topics();
    }

    /**
     * Sends a command and waits for the coordinator's answer to it.
     *
     * @throws dev.keyway.kafka.KafkaAccessDeniedException if this client's principal may not write to the commands
     *     topic (or read the answers): nothing was sent, and the message names the ACL to grant
     */
    public Event send(Command command, Duration timeout) {
        String key = command.fn() == null ? "*" : command.fn();
        String expected = command.type();
        Event answer = ask(command, e -> (e instanceof Event.CommandAccepted || e instanceof Event.CommandRejected)
                && key.equals(e.migration()) && (expected.equals(command(e)) || "malformed".equals(command(e))), timeout);
        if (answer == null) {
            throw new IllegalStateException("no answer from a coordinator within " + timeout.toSeconds()
                    + " s: is one running? start it with bin/migrate coordinator");
        }
        return answer;
    }

    /**
     * Asks the coordinator which migrations it defines ({@link Command.ListMigrations}) and waits for its answer.
     *
     * @return the {@link Event.MigrationsListed} that answers this request; a {@link Event.CommandRejected} from a
     *     coordinator that does not know {@code list} (older than this client); empty when no coordinator answered
     *     within {@code timeout}
     */
    public Optional<Event> list(String requestedBy, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        return Optional.ofNullable(ask(new Command.ListMigrations(requestId, requestedBy),
                e -> e instanceof Event.MigrationsListed l ? requestId.equals(l.requestId())
                        : e instanceof Event.CommandRejected r && "*".equals(r.migration())
                        && "malformed".equals(r.command()) && r.reason().contains("'list'"), timeout));
    }

    /** Sends a command and waits for the first event after it that {@code answers}; null when none came in time. */
    private Event ask(Command command, Predicate<Event> answers, Duration timeout) {
        kafka.checkWriteAccess(topics.commands());
        long from = kafka.endOffset(topics.events());
        String key = command.fn() == null ? "*" : command.fn();
        kafka.publish(List.of(new Outbound(topics.commands(), key, codec.encode(command)))).block(timeout);
        return kafka.follow(topics.events(), from)
                .flatMap(r -> Mono.justOrEmpty(decode(r, x -> codec.decodeEvent(x.value()))))
                .filter(answers)
                .next().timeout(timeout, Mono.empty()).block();
    }

    private static String command(Event e) {
        return e instanceof Event.CommandAccepted a ? a.command() : ((Event.CommandRejected) e).command();
    }

    /**
     * Returns when a broker answers within {@code timeout}.
     *
     * @throws RuntimeException saying why, when none does
     */
    public void checkReachable(Duration timeout) {
        kafka.checkReachable(timeout);
    }

    /** The latest status of every migration. */
    public Map<String, MigrationStatus> statuses() {
        Map<String, MigrationStatus> out = new LinkedHashMap<>();
        kafka.readToEnd(topics.status(), r -> decode(r, x -> codec.decodeStatus(x.key(), x.value()))
                .ifPresent(s -> out.put(s.name(), s)));
        return out;
    }

    /** Every status on the topic, from its first record, then each new one as it is written. */
    public Flux<MigrationStatus> statusChanges() {
        return statusChangesFrom(0);
    }

    /** The offset the next status will get: {@link #statusChangesFrom} it, after {@link #statuses()}, misses none. */
    public long statusEndOffset() {
        return kafka.endOffset(topics.status());
    }

    /** Every status on the topic from this offset, then each new one as it is written. */
    public Flux<MigrationStatus> statusChangesFrom(long offset) {
        return kafka.follow(topics.status(), offset)
                .flatMap(r -> Mono.justOrEmpty(decode(r, x -> codec.decodeStatus(x.key(), x.value()))));
    }

    /**
     * Every entry of the history topic (docs/CONTRACTS.md, section 6), oldest first, as far as the topic's retention
     * keeps them.
     *
     * @param fn the migration whose entries to return, or null for every migration's
     */
    public List<HistoryEntry> history(String fn) {
        List<HistoryEntry> out = new ArrayList<>();
        kafka.readToEnd(topics.history(), r -> decode(r, x -> codec.decodeHistory(x.value()))
                .filter(h -> fn == null || fn.equals(h.migration())).ifPresent(out::add));
        return out;
    }

    /** The offset the next history entry will get: {@link #historyChanges} from it, after {@link #history}, misses none. */
    public long historyEndOffset() {
        return kafka.endOffset(topics.history());
    }

    /**
     * Every history entry from this offset (0: the oldest kept), then each new one as the coordinator commits it; a
     * record that is not an entry is skipped with a warning. Never completes; cancel it to stop.
     */
    public Flux<HistoryEntry> historyChanges(long offset) {
        return historyEntriesFrom(offset).map(AtOffset::value);
    }

    /**
     * {@link #historyChanges} with each entry's offset: a follower that loses the topic goes on from the offset after
     * the last entry it got, and neither repeats nor misses one.
     */
    public Flux<AtOffset<HistoryEntry>> historyEntriesFrom(long offset) {
        return kafka.follow(topics.history(), offset).flatMap(r -> Mono.justOrEmpty(
                decode(r, x -> codec.decodeHistory(x.value())).map(h -> new AtOffset<>(r.offset(), h))));
    }

    /** A record's message and its offset in the topic's one partition. */
    public record AtOffset<T>(long offset, T value) {
    }

    /**
     * Waits until a status matches.
     *
     * @throws IllegalStateException when none did within {@code timeout}, naming the last status seen (what
     *     the wait was for is then plain from where it stopped)
     */
    public MigrationStatus awaitStatus(Predicate<MigrationStatus> condition, Duration timeout) {
        AtomicReference<MigrationStatus> last = new AtomicReference<>();
        MigrationStatus s = statusChanges().doOnNext(last::set).filter(condition).next()
                .timeout(timeout, Mono.empty()).block();
        if (s == null) {
            MigrationStatus seen = last.get();
            throw new IllegalStateException("no status matched within " + timeout.toSeconds() + " s; "
                    + (seen == null ? "the topic holds none" : "the last one read: " + seen.name() + " "
                    + seen.state().json() + ", processed " + seen.progress().processed() + ", cursor " + seen.progress().cursor()
                    + (seen.failure().error() == null ? "" : ", error " + Excerpt.of(seen.failure().error(), 300))));
        }
        return s;
    }

    /**
     * The message of a record, or empty for a deleted one or one that is not a message (anyone can write to
     * the topics; a status must be under its own name): that one is skipped with a warning instead of ending
     * the read.
     */
    private static <T> Optional<T> decode(Inbound r, Function<Inbound, T> decoder) {
        if (r.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(decoder.apply(r));
        } catch (MalformedMessageException e) {
            log.warn("skipped a record at {}-{}@{} that is not a message: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    public JsonCodec codec() {
        return codec;
    }
}
