package dev.keyway.kafka.internal;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.internals.ConsumerFactory;

/**
 * Works around reactor/reactor-kafka#292: {@code receiveExactlyOnce} calls {@code groupMetadata()}
 * off the polling thread, which races with {@code poll()} ("KafkaConsumer is not safe for
 * multi-threaded access") and aborts transactions under load. These consumers read the group
 * metadata on the polling thread after every poll and hand out that cached value.
 */
final class PollThreadMetadataConsumerFactory extends ConsumerFactory {

    @Override
    public <K, V> Consumer<K, V> createConsumer(ReceiverOptions<K, V> options) {
        Properties props = new Properties();
        props.putAll(options.consumerProperties());
        return new MetadataCachingConsumer<>(props, options);
    }

    private static final class MetadataCachingConsumer<K, V> extends KafkaConsumer<K, V> {
        private volatile ConsumerGroupMetadata metadata;

        MetadataCachingConsumer(Properties props, ReceiverOptions<K, V> options) {
            super(props, options.keyDeserializer(), options.valueDeserializer());
        }

        @Override
        public ConsumerRecords<K, V> poll(Duration timeout) {
            ConsumerRecords<K, V> records = super.poll(timeout);
            metadata = super.groupMetadata();
            return records;
        }

        @Override
        public ConsumerGroupMetadata groupMetadata() {
            ConsumerGroupMetadata m = metadata;
            return m != null ? m : super.groupMetadata();
        }
    }
}
