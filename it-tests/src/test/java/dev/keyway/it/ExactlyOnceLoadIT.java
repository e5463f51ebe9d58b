package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.Outbound;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The exactly-once processor under load on a real broker: 100,000 records through two processors of
 * one group, with a member joining mid-run and another leaving mid-run, come out exactly once each.
 * This is the load at which reactor-kafka's {@code receiveExactlyOnce} failed before our fix for
 * reactor/reactor-kafka#292 (see {@code PollThreadMetadataConsumerFactory}).
 */
class ExactlyOnceLoadIT {

    private static final Logger log = LoggerFactory.getLogger(ExactlyOnceLoadIT.class);

    private static final int RECORDS = 100_000;
    private static final int INPUT_PARTITIONS = 4;
    private static final int OUTPUT_PARTITIONS = 2;
    private static final int PUBLISH_CHUNK = 5_000;
    private static final int MAX_POLL_RECORDS = 300;
    /** Generous: the machine is small and shared; a healthy run takes a fraction of it. */
    private static final Duration PROCESSING_DEADLINE = Duration.ofSeconds(180);
    /** Longer than the processors' transaction timeout (10 s), so that an abandoned transaction has ended. */
    private static final Duration SETTLE_DEADLINE = Duration.ofSeconds(45);
    /** No new output for this long means the processors are stuck (a rebalance takes a few seconds). */
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final List<Disposable> running = new ArrayList<>();
    private KafkaGateway gateway;

    @AfterEach
    void stop() {
        running.forEach(Disposable::dispose);
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void everyRecordComesOutExactlyOnceAcrossRebalancesAt100kRecords() throws Exception {
        KafkaTestCluster cluster = KafkaTestCluster.shared();
        String prefix = "eos-load-" + UUID.randomUUID() + ".";
        String input = prefix + "in";
        String output = prefix + "out";
        String group = prefix + "group";
        createTopics(cluster, input, output);
        gateway = KafkaGateway.connect(KafkaSettings.defaults()
                .withBootstrapServers(cluster.bootstrapServers()).withTopicPrefix(prefix), Duration.ofSeconds(30));

        long t0 = System.nanoTime();
        publishInput(input);
        long published = System.nanoTime();

        Member first = new Member("first", output);
        Member second = new Member("second", output);
        try (OutputReader reader = new OutputReader(cluster.bootstrapServers(), output)) {
            running.add(first.start(gateway.processor(group, List.of(input), MAX_POLL_RECORDS)));
            long startedSecondAt = 0;
            long stoppedFirstAt = 0;
            long deadline = System.nanoTime() + PROCESSING_DEADLINE.toNanos();
            long lastProgressAt = System.nanoTime();
            int lastDistinct = 0;
            boolean stalled = false;
            while (reader.distinct() < RECORDS && System.nanoTime() < deadline && !stalled
                    && first.endedOnItsOwn() == null && second.endedOnItsOwn() == null) {
                reader.poll(); // waits up to POLL for committed output
                if (reader.distinct() > lastDistinct) {
                    lastDistinct = reader.distinct();
                    lastProgressAt = System.nanoTime();
                }
                stalled = System.nanoTime() - lastProgressAt > STALL.toNanos();
                // early (a tenth): a consumer may drain its partitions one after the other, and a second member
                // that joins late can be handed only partitions that are already done, and never split the work
                if (startedSecondAt == 0 && reader.distinct() >= RECORDS / 10) {
                    running.add(second.start(gateway.processor(group, List.of(input), MAX_POLL_RECORDS)));
                    startedSecondAt = System.nanoTime();
                    log.info("started the second member at {} distinct outputs", reader.distinct());
                }
                // leave once the second member has taken a share of the partitions (it has handled records)
                if (startedSecondAt != 0 && stoppedFirstAt == 0 && reader.distinct() >= 2 * RECORDS / 3
                        && second.handled.get() > 0) {
                    first.stop();
                    stoppedFirstAt = System.nanoTime();
                    log.info("stopped the first member at {} distinct outputs", reader.distinct());
                }
            }
            long processed = System.nanoTime();
            int distinctAtDeadline = reader.distinct();

            // No more transactions: stop, then read until no transaction is open on the output and every
            // committed record has been read, so that a late duplicate cannot hide.
            first.stop();
            second.stop();
            boolean settled = reader.readUntilSettled(cluster, SETTLE_DEADLINE);
            long done = System.nanoTime();

            Map<TopicPartition, Long> inputEnd = endOffsets(cluster, input);
            Map<TopicPartition, Long> committed = committedOffsets(cluster, group);

            String summary = String.format((stalled ? "STALLED (no new output for " + STALL.toSeconds() + " s); " : "")
                    + "publish %d ms, process %d ms (second member joined at +%d ms, first left at +%d ms), settle %d ms;"
                            + " output records %d, distinct %d (when processing ended %d), duplicated values %d, missing %d,"
                            + " unexpected %d; handled by first %d (assignments %d), by second %d (assignments %d);"
                            + " first ended: %s, second ended: %s; input end offsets %s, committed %s",
                    millis(published - t0), millis(processed - published),
                    startedSecondAt == 0 ? -1 : millis(startedSecondAt - published),
                    stoppedFirstAt == 0 ? -1 : millis(stoppedFirstAt - published), millis(done - processed),
                    reader.total(), reader.distinct(), distinctAtDeadline, reader.duplicatedCount(),
                    reader.missing().size(), reader.unexpected.size(), first.handled.get(), first.assignments.get(),
                    second.handled.get(), second.assignments.get(), first.ended.get(), second.ended.get(),
                    sorted(inputEnd), sorted(committed));
            log.info("{}", summary);

            assertEquals(null, first.endedOnItsOwn(), "the first member's run() ended on its own: " + summary);
            assertEquals(null, second.endedOnItsOwn(), "the second member's run() ended on its own: " + summary);
            assertTrue(settled, "the output did not settle (a transaction stayed open, or reading lagged) within "
                    + SETTLE_DEADLINE + ": " + summary);
            assertEquals(List.of(), reader.unexpected, "values that were never input: " + summary);
            assertEquals(List.of(), reader.duplicated(), "values that came out more than once: " + summary);
            assertFalse(stalled, "the processors stopped making progress: " + summary);
            assertEquals(List.of(), reader.missing().stream().limit(20).toList(),
                    "values that never came out (first 20 of " + reader.missing().size() + "): " + summary);
            assertEquals(RECORDS, reader.total(), "output records: " + summary);
            assertTrue(startedSecondAt != 0 && second.handled.get() > 0,
                    "the second member never took partitions, so there was no split: " + summary);
            assertTrue(stoppedFirstAt != 0, "the first member was never stopped mid-run: " + summary);
            assertEquals(inputEnd, committed, "the group's committed offsets are not the input's end: " + summary);
        }
    }

    private static void createTopics(KafkaTestCluster cluster, String input, String output) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(
                            new NewTopic(input, Optional.of(INPUT_PARTITIONS), Optional.empty()),
                            new NewTopic(output, Optional.of(OUTPUT_PARTITIONS), Optional.empty())))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** "0".."99999", keyed by themselves, so that they spread over the input partitions. */
    private void publishInput(String input) {
        for (int from = 0; from < RECORDS; from += PUBLISH_CHUNK) {
            List<Outbound> chunk = IntStream.range(from, Math.min(RECORDS, from + PUBLISH_CHUNK))
                    .mapToObj(String::valueOf)
                    .map(v -> new Outbound(input, v, v.getBytes(StandardCharsets.UTF_8)))
                    .toList();
            gateway.publish(chunk).block(Duration.ofSeconds(60));
        }
    }

    private static Map<TopicPartition, Long> endOffsets(KafkaTestCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, INPUT_PARTITIONS).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private static Map<TopicPartition, Long> committedOffsets(KafkaTestCluster cluster, String group) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private static String sorted(Map<TopicPartition, Long> offsets) {
        return offsets.entrySet().stream().sorted(Map.Entry.comparingByKey(
                        (a, b) -> Integer.compare(a.partition(), b.partition())))
                .map(e -> e.getKey().partition() + "=" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** One processor of the group: copies each input record to the output, counting what it handled. */
    private static final class Member {
        final String name;
        final String output;
        final AtomicLong handled = new AtomicLong();
        final AtomicInteger assignments = new AtomicInteger();
        /** How its run() ended, if it did: only the test may end it. */
        final AtomicReference<String> ended = new AtomicReference<>();
        private Disposable subscription;

        Member(String name, String output) {
            this.name = name;
            this.output = output;
        }

        Disposable start(ExactlyOnceProcessor processor) {
            Function<Inbound, Mono<List<Outbound>>> copy = in -> {
                handled.incrementAndGet();
                return Mono.just(List.of(new Outbound(output, in.key(), in.value())));
            };
            subscription = processor.run(copy, assignments::incrementAndGet)
                    .subscribe(null, e -> {
                        ended.compareAndSet(null, "failed: " + e);
                        log.error("member {} failed", name, e);
                    }, () -> {
                        ended.compareAndSet(null, "completed");
                        log.error("member {} completed, but run() must run until cancelled", name);
                    });
            return subscription;
        }

        /** How run() ended if the test did not end it, else null. */
        String endedOnItsOwn() {
            String how = ended.get();
            return how == null || how.equals("stopped by the test") ? null : how;
        }

        void stop() {
            if (subscription != null) {
                ended.compareAndSet(null, "stopped by the test");
                subscription.dispose();
            }
        }
    }

    /**
     * A read_committed consumer of every output partition (no group), counting each value; remembers where
     * each value was first seen so that a duplicate can be reported with both places.
     */
    private static final class OutputReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final List<TopicPartition> partitions;
        private final int[] counts = new int[RECORDS];
        private final String[] firstSeenAt = new String[RECORDS];
        private final Map<Integer, List<String>> duplicates = new HashMap<>();
        final List<String> unexpected = new ArrayList<>();
        private int distinct;
        private long total;

        OutputReader(String bootstrap, String topic) {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
            partitions = IntStream.range(0, OUTPUT_PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        void poll() {
            for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                total++;
                String where = r.partition() + "@" + r.offset();
                int v;
                try {
                    v = Integer.parseInt(r.value());
                } catch (NumberFormatException e) {
                    v = -1;
                }
                if (v < 0 || v >= RECORDS) {
                    unexpected.add(r.value() + " at " + where);
                } else if (counts[v]++ == 0) {
                    distinct++;
                    firstSeenAt[v] = where;
                } else {
                    duplicates.computeIfAbsent(v, k -> new ArrayList<>(List.of(firstSeenAt[k]))).add(where);
                }
            }
        }

        /**
         * Reads until, on every partition, the last stable offset has caught up with the log end (no open
         * transaction) and this reader has reached it; false if that did not happen within {@code deadline}.
         */
        boolean readUntilSettled(KafkaTestCluster cluster, Duration deadline) throws Exception {
            long until = System.nanoTime() + deadline.toNanos();
            try (Admin admin = cluster.admin()) {
                while (System.nanoTime() < until) {
                    poll();
                    Map<TopicPartition, Long> stable = offsets(admin, IsolationLevel.READ_COMMITTED);
                    Map<TopicPartition, Long> end = offsets(admin, IsolationLevel.READ_UNCOMMITTED);
                    if (stable.equals(end) && partitions.stream().allMatch(p -> consumer.position(p) >= stable.get(p))) {
                        return true;
                    }
                }
            }
            return false;
        }

        private Map<TopicPartition, Long> offsets(Admin admin, IsolationLevel isolation) throws Exception {
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            return admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }

        int distinct() {
            return distinct;
        }

        long total() {
            return total;
        }

        /** "value: where first seen, where seen again, ..." for each value seen more than once (first 20). */
        List<String> duplicated() {
            return duplicates.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(20)
                    .map(e -> e.getKey() + ": " + e.getValue()).toList();
        }

        int duplicatedCount() {
            return duplicates.size();
        }

        List<Integer> missing() {
            return IntStream.range(0, RECORDS).filter(v -> counts[v] == 0).boxed().toList();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
