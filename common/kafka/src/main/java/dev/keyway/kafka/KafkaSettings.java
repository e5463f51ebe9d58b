package dev.keyway.kafka;

import java.util.Objects;

/**
 * How to reach Kafka and name the topics. Immutable; {@code withX(..)} returns a copy.
 *
 * @param bootstrapServers host:port list; default {@value #DEFAULT_BOOTSTRAP}
 * @param topicPrefix prefix of the four topic names; default {@value #DEFAULT_PREFIX}
 * @param taskPartitions partitions of the tasks topic when this process creates it (the most workers
 *     that can share one migration's batches), 1 to 1000; default {@value #DEFAULT_TASK_PARTITIONS}
 * @param client every other Kafka client property (security, SASL, TLS, timeouts): {@link ClientProperties}
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, int taskPartitions, ClientProperties client) {

    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    public static final String DEFAULT_PREFIX = "migrations.";
    public static final int DEFAULT_TASK_PARTITIONS = 12;

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
        Objects.requireNonNull(topicPrefix, "topicPrefix must not be null");
        if (taskPartitions < 1 || taskPartitions > 1000) {
            throw new IllegalArgumentException("taskPartitions must be between 1 and 1000, but was " + taskPartitions);
        }
        client = client == null ? ClientProperties.none() : client;
    }

    public static KafkaSettings defaults() {
        return new KafkaSettings(DEFAULT_BOOTSTRAP, DEFAULT_PREFIX, DEFAULT_TASK_PARTITIONS, ClientProperties.none());
    }

    /**
     * From {@code KAFKA_BOOTSTRAP_SERVERS} (else the client properties' {@code bootstrap.servers}), {@code TOPIC_PREFIX},
     * {@code TASK_PARTITIONS}, and the client properties of {@code KAFKA_CONFIG} and {@code KAFKA_*}
     * ({@link ClientProperties#fromEnv}); else the defaults.
     */
    public static KafkaSettings fromEnv(java.util.Map<String, String> env) {
        ClientProperties client = ClientProperties.fromEnv(env);
        String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS",
                client.bootstrapServers() != null ? client.bootstrapServers() : DEFAULT_BOOTSTRAP);
        String partitions = env.getOrDefault("TASK_PARTITIONS", String.valueOf(DEFAULT_TASK_PARTITIONS));
        try {
            return new KafkaSettings(bootstrap, env.getOrDefault("TOPIC_PREFIX", DEFAULT_PREFIX),
                    Integer.parseInt(partitions.trim()), client);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("TASK_PARTITIONS must be a number, but was '" + partitions + "'");
        }
    }

    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, topicPrefix, taskPartitions, client);
    }

    public KafkaSettings withTopicPrefix(String prefix) {
        return new KafkaSettings(bootstrapServers, prefix, taskPartitions, client);
    }

    public KafkaSettings withTaskPartitions(int partitions) {
        return new KafkaSettings(bootstrapServers, topicPrefix, partitions, client);
    }

    public KafkaSettings withClient(ClientProperties properties) {
        return new KafkaSettings(bootstrapServers, topicPrefix, taskPartitions, properties);
    }

    public Topics topics() {
        return Topics.of(topicPrefix);
    }
}
