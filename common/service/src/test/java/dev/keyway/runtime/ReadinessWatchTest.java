package dev.keyway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadinessWatchTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.ofEpochSecond(1_000);

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final TestClock clock = new TestClock();
    private final AtomicBoolean kafkaUp = new AtomicBoolean(true);
    private final AtomicBoolean databaseUp = new AtomicBoolean(true);
    private final ReadinessWatch watch = new ReadinessWatch(clock, List.of(
            new ReadinessWatch.Check("Kafka", () -> check(kafkaUp, "no Kafka broker at 127.0.0.1:1")),
            new ReadinessWatch.Check("the database", () -> check(databaseUp, "connection refused"))));

    private static void check(AtomicBoolean up, String error) {
        if (!up.get()) {
            throw new IllegalStateException(error);
        }
    }

    @Test
    void notReadyBeforeTheFirstCheckThenReadyWhileBothAnswer() {
        assertEquals(Optional.of("Kafka was not checked yet"), watch.problem());
        watch.checkNow();
        assertEquals(Optional.empty(), watch.problem());
    }

    @Test
    void notReadyAtOnceWhenTheDatabaseOrKafkaFailsAndReadyAgainWhenItAnswers() {
        watch.checkNow();
        databaseUp.set(false);
        watch.checkNow();
        assertEquals(Optional.of("the database does not answer: connection refused"), watch.problem());
        kafkaUp.set(false);
        watch.checkNow();
        assertEquals(Optional.of("Kafka does not answer: no Kafka broker at 127.0.0.1:1"), watch.problem());
        kafkaUp.set(true);
        databaseUp.set(true);
        watch.checkNow();
        assertEquals(Optional.empty(), watch.problem());
    }

    @Test
    void aCheckThatStopsAnsweringTurnsItNotReadyOnceItsLastSuccessIsStale() {
        watch.checkNow();
        clock.advance(ReadinessWatch.STALE);
        assertEquals(Optional.empty(), watch.problem(), "still fresh");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.of("Kafka has not answered for 16 s"), watch.problem());
    }
}
