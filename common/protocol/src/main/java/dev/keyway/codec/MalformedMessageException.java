package dev.keyway.codec;

/** A message that is not valid JSON for its topic. Not retriable: the message itself must be fixed. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }

    public MalformedMessageException(String message) {
        super(message);
    }
}
