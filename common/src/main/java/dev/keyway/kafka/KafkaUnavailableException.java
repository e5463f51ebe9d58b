package dev.keyway.kafka;

/** No broker answered at the configured address. Retriable: start the broker or fix the address. */
public final class KafkaUnavailableException extends RuntimeException {
    public KafkaUnavailableException(String bootstrap, Throwable cause) {
        super("no Kafka broker at " + bootstrap + ": start one with bin/migrate kafka start or set KAFKA_BOOTSTRAP_SERVERS",
                cause);
    }
}
