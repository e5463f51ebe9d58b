package dev.keyway.kafka;

/** A record to publish. */
public record Outbound(String topic, String key, byte[] value) {
}
