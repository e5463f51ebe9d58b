package dev.keyway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.client.MigrationsClient;
import dev.keyway.codec.JsonCodec;
import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.Outbound;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class ClientMigrationsTest {

    @Test
    void followingTheStatusesSurvivesLosingTheTopic() throws Exception {
        KafkaSettings settings = KafkaSettings.defaults();
        JsonCodec codec = new JsonCodec();
        MigrationStatus before = FakeMigrations.running("a", 100, 1_000);
        MigrationStatus after = FakeMigrations.running("a", 200, 2_000);
        AtomicInteger follows = new AtomicInteger();
        KafkaGateway broker = new StatusTopic(settings) {
            @Override
            public void readToEnd(String topic, Consumer<Inbound> each) {
                each.accept(new Inbound(topic, 0, 0, 0, "a", codec.encode(before)));
            }

            @Override
            public Flux<Inbound> follow(String topic, long fromOffset) {
                if (follows.incrementAndGet() <= 2) {
                    return Flux.just(new Inbound(topic, 0, 0, 0, "a", codec.encode(before)))
                            .concatWith(Flux.error(new IllegalStateException("broker gone")));
                }
                assertEquals(7, fromOffset, "from the end offset taken before reading the latest statuses");
                return Flux.just(new Inbound(topic, 0, 7, 0, "a", codec.encode(after))).concatWith(Flux.never());
            }
        };
        LinkedBlockingQueue<Long> seen = new LinkedBlockingQueue<>();
        ClientMigrations migrations = new ClientMigrations(new MigrationsClient(broker), settings, Duration.ofMillis(10));
        try (AutoCloseable following = migrations.follow(s -> seen.add(s.progress().processed()))) {
            // follow, latest, follow (lost twice), latest, follow
            for (long expected : List.of(100L, 100L, 100L, 100L, 200L)) {
                assertEquals(expected, seen.poll(10, TimeUnit.SECONDS), "statuses so far: " + seen);
            }
        }
        assertTrue(follows.get() >= 3, follows.get() + " follows");
        assertEquals("migrations.workers", migrations.replayTarget().workerGroup());
    }

    @Test
    void followingTheHistoryGoesOnAfterTheLastEntryItGotWhenItLosesTheTopic() throws Exception {
        KafkaSettings settings = KafkaSettings.defaults();
        JsonCodec codec = new JsonCodec();
        List<Long> fromOffsets = new java.util.concurrent.CopyOnWriteArrayList<>();
        KafkaGateway broker = new StatusTopic(settings) {
            @Override
            public void readToEnd(String topic, Consumer<Inbound> each) {
            }

            @Override
            public Flux<Inbound> follow(String topic, long fromOffset) {
                fromOffsets.add(fromOffset);
                Flux<Inbound> entries = Flux.range((int) fromOffset, 3).map(o -> new Inbound(topic, 0, o, 0, "a",
                        codec.encode(new HistoryEntry(HistoryEntry.CONFIGURED, "a", "r1", o, "ada", "configure", null,
                                null, null))));
                // the first follow gives offsets 0..2 then fails; the next one (from 3) gives 3..5 and stays
                return fromOffsets.size() == 1 ? entries.concatWith(Flux.error(new IllegalStateException("broker gone")))
                        : entries.concatWith(Flux.never());
            }
        };
        LinkedBlockingQueue<Long> seen = new LinkedBlockingQueue<>();
        ClientMigrations migrations = new ClientMigrations(new MigrationsClient(broker), settings, Duration.ofMillis(10));
        try (AutoCloseable following = migrations.followHistory(h -> seen.add(h.at()))) {
            for (long expected = 0; expected < 6; expected++) {
                assertEquals(expected, seen.poll(10, TimeUnit.SECONDS), "each entry once, in order: " + seen);
            }
        }
        assertEquals(List.of(0L, 3L), fromOffsets);
    }

    /** A broker whose status topic ends at offset 7; the test says what reading and following give. */
    private abstract static class StatusTopic implements KafkaGateway {
        private final KafkaSettings settings;

        StatusTopic(KafkaSettings settings) {
            this.settings = settings;
        }

        @Override
        public KafkaSettings settings() {
            return settings;
        }

        @Override
        public void ensureTopics() {
        }

        @Override
        public ExactlyOnceProcessor processor(String groupId, List<String> topics, int maxPollRecords, int concurrency) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkWriteAccess(String topic) {
        }

        @Override
        public Mono<Void> publish(List<Outbound> records) {
            return Mono.empty();
        }

        @Override
        public long endOffset(String topic) {
            return 7;
        }

        @Override
        public void close() {
        }
    }
}
