package dev.keyway.kafka;

/**
 * Kafka refused this client: its login (SASL, TLS) failed, or its principal lacks an ACL for what it tried. Not
 * retriable: an operator must fix the client's credentials or grant the ACL the message names (docs/OPERATIONS.md
 * lists the ACLs each component needs). The message says what was refused, for which principal, and what to
 * grant; it never holds a secret.
 */
public final class KafkaAccessDeniedException extends RuntimeException {

    public KafkaAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
