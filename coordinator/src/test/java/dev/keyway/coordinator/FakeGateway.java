package dev.keyway.coordinator;

import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.Outbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A broker in memory for the coordinator's own tests: it hands the test the coordinator's exactly-once handler (the
 * test plays the processor: rebuild, handle a record, commit), holds the status topic a rebuild reads, and records
 * what is published outside a transaction (plans, paced tasks).
 */
final class FakeGateway implements KafkaGateway {

    private final KafkaSettings settings = KafkaSettings.defaults().withTopicPrefix("test.");
    final List<Inbound> statusTopic = new ArrayList<>();
    private final List<Outbound> published = new ArrayList<>();
    Function<Inbound, Mono<List<Outbound>>> handler;
    Runnable rebuild;
    Runnable committed;
    private long offset;

    @Override
    public KafkaSettings settings() {
        return settings;
    }

    @Override
    public void ensureTopics() {
    }

    @Override
    public ExactlyOnceProcessor processor(String groupId, List<String> topics, int maxPollRecords, int concurrency) {
        return new ExactlyOnceProcessor() {
            @Override
            public Mono<Void> run(Function<Inbound, Mono<List<Outbound>>> h, Runnable onAssigned) {
                throw new UnsupportedOperationException("the coordinator keeps state");
            }

            @Override
            public Mono<Void> runWithState(Function<Inbound, Mono<List<Outbound>>> h, Runnable r, Runnable c) {
                handler = h;
                rebuild = r;
                committed = c;
                return Mono.never();
            }
        };
    }

    /** One record of a topic, handled as the processor would: the records for its transaction, or the failure. */
    List<Outbound> handle(String topic, String key, byte[] value) {
        return handler.apply(new Inbound(topic, 0, offset++, 0, key, value)).block(Duration.ofSeconds(10));
    }

    @Override
    public void checkWriteAccess(String topic) {
    }

    @Override
    public synchronized Mono<Void> publish(List<Outbound> records) {
        published.addAll(records);
        notifyAll();
        return Mono.empty();
    }

    /** What was published outside a transaction so far. */
    synchronized List<Outbound> published() {
        return List.copyOf(published);
    }

    /** Waits, up to 10 s, until {@code n} records were published outside a transaction; then what was. */
    synchronized List<Outbound> awaitPublished(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (published.size() < n && System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return List.copyOf(published);
    }

    @Override
    public void readToEnd(String topic, Consumer<Inbound> each) {
        if (topic.equals(settings.topics().status())) {
            statusTopic.forEach(each);
        }
    }

    @Override
    public long endOffset(String topic) {
        return 0;
    }

    @Override
    public Flux<Inbound> follow(String topic, long fromOffset) {
        return Flux.never();
    }

    @Override
    public void close() {
    }
}
