package dev.keyway.console;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import java.time.Duration;
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

    private static final Logger log = LoggerFactory.getLogger(ClientMigrations.class);

    private final MigrationsClient client;
    private final KafkaSettings settings;
    private final Duration retryDelay;

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
        return following::dispose;
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
    public Event send(Command command) {
        return client.send(command, ANSWER_TIMEOUT);
    }

    @Override
    public ReplayCommands.Target replayTarget() {
        return new ReplayCommands.Target(settings.bootstrapServers(), settings.topicPrefix() + "workers");
    }
}
