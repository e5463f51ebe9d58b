package dev.keyway.kafka;

/**
 * The topic names. Commands, events, status and history have one partition; status is compacted; history is an
 * append-only audit trail (docs/CONTRACTS.md, section 6).
 */
public record Topics(String commands, String tasks, String events, String status, String history) {

    public static Topics of(String prefix) {
        return new Topics(prefix + "commands", prefix + "tasks", prefix + "events", prefix + "status",
                prefix + "history");
    }
}
