package dev.keyway.console;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import java.time.Duration;
import java.util.function.Consumer;
import reactor.core.Disposable;

/** The console's {@link Migrations} over Kafka: a {@link MigrationsClient} (the command line's own). */
public final class ClientMigrations implements Migrations {

    /** How long a control waits for the coordinator's answer, as the command line does. */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final MigrationsClient client;
    private final KafkaSettings settings;

    public ClientMigrations(MigrationsClient client, KafkaSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public AutoCloseable follow(Consumer<MigrationStatus> onStatus) {
        Disposable following = client.statusChanges().subscribe(onStatus);
        return following::dispose;
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
