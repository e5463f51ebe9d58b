package dev.keyway.it.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Permits at a steady rate, for the impact benchmark's peers (issue 20: the JDBC loop and Spring Batch held to the
 * rows/s Keyway's adaptive phase reached). As Guava's {@code RateLimiter} without bursts: {@link #acquire} of n
 * permits waits until every earlier acquire is paid for and books n / rate seconds after it, so a batch starts at once
 * on an idle limiter, and time spent idle is not saved up for a burst later. Over a run the permits go out at
 * {@code permitsPerSecond} at most, however many threads share the limiter. Thread-safe.
 */
final class RateLimiter {

    /** How the limiter waits; the real one parks the thread. */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double permitsPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private boolean started;
    private long nextFreeNanos;
    private long firstAcquireNanos;
    private long acquired;

    RateLimiter(double permitsPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("permitsPerSecond must be positive and finite, but was "
                    + permitsPerSecond);
        }
        this.permitsPerSecond = permitsPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    /** A limiter on the system's clock. */
    static RateLimiter of(double permitsPerSecond) {
        return new RateLimiter(permitsPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    /** Waits until {@code permits} may be used (books them), then returns. */
    void acquire(int permits) throws InterruptedException {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative, but was " + permits);
        }
        long wait;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (!started) {
                started = true;
                firstAcquireNanos = now;
                nextFreeNanos = now;
            } else if (nextFreeNanos - now < 0) {
                nextFreeNanos = now; // idle time is not saved up
            }
            wait = nextFreeNanos - now;
            nextFreeNanos += Math.round(permits * 1e9 / permitsPerSecond);
            acquired += permits;
        }
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }

    double permitsPerSecond() {
        return permitsPerSecond;
    }

    /** The permits booked so far. */
    synchronized long acquired() {
        return acquired;
    }

    /** The clock's reading at the first acquire; the work started then. */
    synchronized long firstAcquireNanos() {
        if (!started) {
            throw new IllegalStateException("nothing was acquired yet");
        }
        return firstAcquireNanos;
    }
}
