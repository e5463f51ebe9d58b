package dev.keyway.console;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the console reads and drives: the statuses of the status topic, the history topic, and commands answered by the coordinator.
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
     * Calls {@code onEntry} with every entry of the history topic from its first record, then with each new one, in
     * the topic's order, on one thread at a time, until the returned handle is closed.
     */
    AutoCloseable followHistory(Consumer<HistoryEntry> onEntry);

    /**
     * Sends a command and waits for the coordinator's answer: a {@link Event.CommandAccepted} or a
     * {@link Event.CommandRejected}.
     *
     * @throws IllegalStateException when no coordinator answered in time (the message says what to check)
     */
    Event send(Command command);

    /**
     * Whether the console can show and drive migrations now ({@code /ready}): empty when it can, else why not. Answers at
     * once (what a background check found last).
     */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /** Where the workers read their tasks: for the replay command of a failed batch. */
    ReplayCommands.Target replayTarget();
}
