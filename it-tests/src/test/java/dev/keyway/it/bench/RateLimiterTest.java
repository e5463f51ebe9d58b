package dev.keyway.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    /** A fake clock that sleeping moves on. */
    private long now = 1_000_000_000L;
    private final List<Long> waits = new ArrayList<>();
    private final RateLimiter limiter = new RateLimiter(1000, () -> now, nanos -> {
        waits.add(nanos);
        now += nanos;
    });

    @Test
    void theFirstBatchGoesAtOnceAndEachNextWaitsForThePreviousOnesRows() throws Exception {
        limiter.acquire(100);
        limiter.acquire(100);
        limiter.acquire(50);
        limiter.acquire(10);

        // 1,000 permits/s: 100 rows pay 100 ms, 50 rows 50 ms
        assertEquals(List.of(100_000_000L, 100_000_000L, 50_000_000L), waits);
        assertEquals(260, limiter.acquired());
        assertEquals(1_000_000_000L, limiter.firstAcquireNanos());
    }

    @Test
    void timeSpentWorkingCountsAgainstTheWait() throws Exception {
        limiter.acquire(100);
        now += 60_000_000L; // the batch itself took 60 ms

        limiter.acquire(100);

        assertEquals(List.of(40_000_000L), waits);
    }

    @Test
    void idleTimeIsNotSavedUpForABurst() throws Exception {
        limiter.acquire(100);
        now += 5_000_000_000L; // idle for 5 s

        limiter.acquire(100);
        limiter.acquire(100);

        assertEquals(List.of(100_000_000L), waits);
    }

    @Test
    void overARunThePermitsGoOutAtTheRate() throws Exception {
        long start = now;
        for (int i = 0; i < 100; i++) {
            limiter.acquire(1000);
            now += 3_000_000L; // each batch of 1,000 takes 3 ms
        }
        // 100,000 permits at 1,000/s: the 100th batch starts 99 s after the first
        assertEquals(99_000_000_000L + 3_000_000L, now - start);
    }

    @Test
    void refusesARateThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> RateLimiter.of(0));
        assertThrows(IllegalArgumentException.class, () -> RateLimiter.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> limiter.acquire(-1));
    }
}
