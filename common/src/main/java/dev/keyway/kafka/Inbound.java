package dev.keyway.kafka;

/** A consumed record: where it came from, its key and its JSON value. */
public record Inbound(String topic, int partition, long offset, String key, byte[] value) {
}
