package dev.keyway.kafka;

import java.util.Objects;

/**
 * How to reach Kafka and name the topics. Immutable; {@code withX(..)} returns a copy.
 *
 * @param bootstrapServers host:port list; default {@value #DEFAULT_BOOTSTRAP}
 * @param topicPrefix prefix of the four topic names; default {@value #DEFAULT_PREFIX}
 * @param taskPartitions partitions of the tasks topic when this process creates it (the most workers
 *     that can share one migration's batches), 1 to 1000; default {@value #DEFAULT_TASK_PARTITIONS}
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, int taskPartitions) {

    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    public static final String DEFAULT_PREFIX = "migrations.";
    public static final int DEFAULT_TASK_PARTITIONS = 12;

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
        Objects.requireNonNull(topicPrefix, "topicPrefix must not be null");
        if (taskPartitions < 1 || taskPartitions > 1000) {
            throw new IllegalArgumentException("taskPartitions must be between 1 and 1000, but was " + taskPartitions);
        }
    }

    public static KafkaSettings defaults() {
        return new KafkaSettings(DEFAULT_BOOTSTRAP, DEFAULT_PREFIX, DEFAULT_TASK_PARTITIONS);
    }

    /** From {@code KAFKA_BOOTSTRAP_SERVERS}, {@code TOPIC_PREFIX} and {@code TASK_PARTITIONS}, else the defaults. */
    public static KafkaSettings fromEnv(java.util.Map<String, String> env) {
        return new KafkaSettings(env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP),
                env.getOrDefault("TOPIC_PREFIX", DEFAULT_PREFIX),
                Integer.parseInt(env.getOrDefault("TASK_PARTITIONS", String.valueOf(DEFAULT_TASK_PARTITIONS))));
    }

    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, topicPrefix, taskPartitions);
    }

    public KafkaSettings withTopicPrefix(String prefix) {
        return new KafkaSettings(bootstrapServers, prefix, taskPartitions);
    }

    public KafkaSettings withTaskPartitions(int partitions) {
        return new KafkaSettings(bootstrapServers, topicPrefix, partitions);
    }

    public Topics topics() {
        return Topics.of(topicPrefix);
    }
}
