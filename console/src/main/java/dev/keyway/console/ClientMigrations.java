package dev.keyway.console;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The console's {@link Migrations} over Kafka: a {@link MigrationsClient} (the command line's own). Following the
 * status topic survives losing it: after {@link #RETRY_DELAY} it reads the latest statuses again and follows on from
 * there, for as long as the console runs.
 */
public final class ClientMigrations implements Migrations {

    /** How long a control waits for the coordinator's answer, as the command line does. */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration RETRY_DELAY = Duration.ofSeconds(2);
    /** How often readiness asks the broker whether it answers (and how long it waits). */
    static final Duration CHECK_PERIOD = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ClientMigrations.class);

    private final MigrationsClient client;
    private final KafkaSettings settings;
    private final Duration retryDelay;
    /** Why the console is not ready, from the latest check; null when it is. */
    private volatile String problem = "Kafka was not checked yet";

    public ClientMigrations(MigrationsClient client, KafkaSettings settings) {
        this(client, settings, RETRY_DELAY);
    }

    ClientMigrations(MigrationsClient client, KafkaSettings settings, Duration retryDelay) {
        this.client = client;
        this.settings = settings;
        this.retryDelay = retryDelay;
    }

    @Override
    public AutoCloseable follow(Consumer<MigrationStatus> onStatus) {
        Disposable following = client.statusChanges().onErrorResume(this::again).subscribe(onStatus);
        // the broker asked every CHECK_PERIOD whether it answers, on a thread of its own: /ready reads what it found
        Disposable checking = Flux.interval(Duration.ZERO, CHECK_PERIOD, Schedulers.boundedElastic())
                .onBackpressureDrop().subscribe(tick -> check());
        return () -> {
            following.dispose();
            checking.dispose();
        };
    }

    private void check() {
        try {
            client.checkReachable(CHECK_PERIOD);
            problem = null;
        } catch (RuntimeException e) {
            problem = "Kafka does not answer: " + e.getMessage();
        }
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** After a lost follow: the latest statuses, then each new one (from the end offset taken before reading them). */
    private Flux<MigrationStatus> again(Throwable lost) {
        log.warn("the console lost the status topic ({}); reading it again in {} ms", lost.toString(),
                retryDelay.toMillis());
        return Mono.delay(retryDelay, Schedulers.boundedElastic()).thenMany(Flux.defer(() -> {
            long end = client.statusEndOffset();
            return Flux.fromIterable(client.statuses().values()).concatWith(client.statusChangesFrom(end));
        })).onErrorResume(this::again);
    }

    @Override
    public AutoCloseable followHistory(Consumer<HistoryEntry> onEntry) {
        AtomicLong next = new AtomicLong();
        Disposable following = historyFrom(next).subscribe(onEntry);
        return following::dispose;
    }

    /**
     * The history topic from {@code next}'s offset on; after losing it, again from the entry after the last one given
     * (an append-only topic: nothing is given twice, nothing missed).
     */
    private Flux<HistoryEntry> historyFrom(AtomicLong next) {
        return Flux.defer(() -> client.historyEntriesFrom(next.get()))
                .doOnNext(e -> next.set(e.offset() + 1)).map(MigrationsClient.AtOffset::value)
                .onErrorResume(lost -> {
                    log.warn("the console lost the history topic ({}); reading it again in {} ms", lost.toString(),
                            retryDelay.toMillis());
                    return Mono.delay(retryDelay, Schedulers.boundedElastic()).thenMany(historyFrom(next));
                });
    }

    @Override
    public Event send(Command command) {
        return client.send(command, ANSWER_TIMEOUT);
    }

    @Override
    public ReplayCommands.Target replayTarget() {
        return new ReplayCommands.Target(settings.bootstrapServers(), settings.topicPrefix() + "workers");
    }
}
