package dev.keyway.kafka;

/** The four topic names. Commands, events and status have one partition; status is compacted. */
public record Topics(String commands, String tasks, String events, String status) {

    public static Topics of(String prefix) {
        return new Topics(prefix + "commands", prefix + "tasks", prefix + "events", prefix + "status");
    }
}
