package dev.keyway.kafka;

import java.util.concurrent.ExecutionException;

/** No broker answered at the configured address. Retriable: start the broker or fix the address. */
public final class KafkaUnavailableException extends RuntimeException {

    private static final int MAX_REASON = 200;

    public KafkaUnavailableException(String bootstrap, Throwable cause) {
        super("no Kafka broker at " + bootstrap + reason(cause) + ": start one with bin/migrate kafka start or set"
                + " KAFKA_BOOTSTRAP_SERVERS", cause);
    }

    /** What the client said, so a timeout can be told from a refusal: " (TimeoutException: ...)", bounded. */
    private static String reason(Throwable cause) {
        Throwable c = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        if (c == null) {
            return "";
        }
        String text = c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
        return " (" + (text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "...") + ")";
    }
}
