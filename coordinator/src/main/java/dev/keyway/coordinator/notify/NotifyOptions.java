package dev.keyway.coordinator.notify;

import java.time.Duration;

/**
 * How notifications are delivered to each endpoint. Immutable.
 *
 * @param queueSize the most notifications waiting for one endpoint; past it the oldest is dropped with a warning
 *     (1 to 10000)
 * @param attempts how many times one notification is sent before it is given up with a warning (1 to 20)
 * @param firstBackoff the wait before the second attempt; each next wait doubles, up to {@link #MAX_BACKOFF}
 * @param timeout how long one attempt may take, connection included
 */
public record NotifyOptions(int queueSize, int attempts, Duration firstBackoff, Duration timeout) {

    public static final int DEFAULT_QUEUE_SIZE = 1000;
    public static final int DEFAULT_ATTEMPTS = 5;
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest wait between two attempts. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    public NotifyOptions {
        if (queueSize < 1 || queueSize > 10_000) {
            throw new IllegalArgumentException("queueSize must be between 1 and 10000, but was " + queueSize);
        }
        if (attempts < 1 || attempts > 20) {
            throw new IllegalArgumentException("attempts must be between 1 and 20, but was " + attempts);
        }
        if (firstBackoff.isNegative() || firstBackoff.isZero()) {
            throw new IllegalArgumentException("firstBackoff must be positive, but was " + firstBackoff);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
    }

    public static NotifyOptions defaults() {
        return new NotifyOptions(DEFAULT_QUEUE_SIZE, DEFAULT_ATTEMPTS, DEFAULT_FIRST_BACKOFF, DEFAULT_TIMEOUT);
    }

    public NotifyOptions withQueueSize(int size) {
        return new NotifyOptions(size, attempts, firstBackoff, timeout);
    }

    public NotifyOptions withAttempts(int n) {
        return new NotifyOptions(queueSize, n, firstBackoff, timeout);
    }

    public NotifyOptions withFirstBackoff(Duration d) {
        return new NotifyOptions(queueSize, attempts, d, timeout);
    }

    public NotifyOptions withTimeout(Duration d) {
        return new NotifyOptions(queueSize, attempts, firstBackoff, d);
    }
}
