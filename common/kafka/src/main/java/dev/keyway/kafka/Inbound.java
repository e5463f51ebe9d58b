package dev.keyway.kafka;

/** A consumed record: where it came from, when it was produced (epoch millis), its key and its JSON value. */
public record Inbound(String topic, int partition, long offset, long timestamp, String key, byte[] value) {
}
