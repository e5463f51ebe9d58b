package dev.keyway.console;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/** Statuses pushed by the test, and commands recorded and answered by a function the test gives. */
final class FakeMigrations implements Migrations {

    final List<Command> sent = new CopyOnWriteArrayList<>();
    volatile String problem;
    volatile Function<Command, Event> answers = c -> new Event.CommandAccepted(c.fn(), c.type(), "done", null);
    private volatile Consumer<MigrationStatus> follower = s -> { };
    private volatile Consumer<HistoryEntry> historian = h -> { };

    @Override
    public AutoCloseable follow(Consumer<MigrationStatus> onStatus) {
        follower = onStatus;
        return () -> follower = s -> { };
    }

    @Override
    public AutoCloseable followHistory(Consumer<HistoryEntry> onEntry) {
        historian = onEntry;
        return () -> historian = h -> { };
    }

    @Override
    public Event send(Command command) {
        sent.add(command);
        return answers.apply(command);
    }

    @Override
    public java.util.Optional<String> problem() {
        return java.util.Optional.ofNullable(problem);
    }

    @Override
    public ReplayCommands.Target replayTarget() {
        return new ReplayCommands.Target("kafka:9092", "migrations.workers");
    }

    void push(MigrationStatus s) {
        follower.accept(s);
    }

    void push(HistoryEntry h) {
        historian.accept(h);
    }

    static MigrationStatus running(String name, long processed, long at) {
        return MigrationStatus.unknown(name, 100).change().state(MigrationState.IN_PROGRESS).runId("r1")
                .processed(processed).total(1_000L).latestStart(0L).updatedAt(at).build();
    }
}
