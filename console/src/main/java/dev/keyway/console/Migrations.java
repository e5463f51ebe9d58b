package dev.keyway.console;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import java.util.function.Consumer;

/**
 * What the console reads and drives: the statuses of the status topic, and commands answered by the coordinator.
 * In production {@link ClientMigrations} (a {@link dev.keyway.client.MigrationsClient} over Kafka); a test gives a
 * fake.
 */
public interface Migrations {

    /**
     * Calls {@code onStatus} with every status on the topic from its first record, then with each new one, in the
     * topic's order, on one thread at a time, until the returned handle is closed.
     */
    AutoCloseable follow(Consumer<MigrationStatus> onStatus);

    /**
     * Sends a command and waits for the coordinator's answer: a {@link Event.CommandAccepted} or a
     * {@link Event.CommandRejected}.
     *
     * @throws IllegalStateException when no coordinator answered in time (the message says what to check)
     */
    Event send(Command command);

    /** Where the workers read their tasks: for the replay command of a failed batch. */
    ReplayCommands.Target replayTarget();
}
