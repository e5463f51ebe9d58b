package dev.keyway.message;

/** Where a task record is: enough to replay it by resetting the worker group's offset. */
public record TaskLocation(String topic, int partition, long offset) {
}
