package dev.keyway.cli;

import dev.keyway.codec.JsonCodec;
import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.Outbound;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A broker and a coordinator in memory for the command line's tests: the statuses on the status topic, and what the
 * coordinator answers each command (nothing by default: no coordinator runs). Records what was published.
 */
final class FakeKafka implements KafkaGateway {

    private final JsonCodec codec = new JsonCodec();
    private final KafkaSettings settings;
    private final List<MigrationStatus> statuses;
    private final Function<Command, List<Event>> coordinator;
    final List<Command> sent = new ArrayList<>();
    private final List<Inbound> events = new ArrayList<>();
    /** The records of the history topic, as written (a test may add a stranger's). */
    final List<byte[]> history = new ArrayList<>();

    FakeKafka(KafkaSettings settings, List<MigrationStatus> statuses, Function<Command, List<Event>> coordinator) {
        this.settings = settings;
        this.statuses = statuses;
        this.coordinator = coordinator;
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
        throw new UnsupportedOperationException("the command line runs no processor");
    }

    @Override
    public void checkWriteAccess(String topic) {
    }

    @Override
    public synchronized Mono<Void> publish(List<Outbound> records) {
        for (Outbound r : records) {
            Command c = codec.decodeCommand(r.value());
            sent.add(c);
            for (Event e : coordinator.apply(c)) {
                events.add(new Inbound(settings.topics().events(), 0, events.size(), 0, e.migration(), codec.encode(e)));
            }
        }
        return Mono.empty();
    }

    @Override
    public void readToEnd(String topic, Consumer<Inbound> each) {
        if (topic.equals(settings.topics().status())) {
            for (MigrationStatus s : statuses) {
                each.accept(new Inbound(topic, 0, 0, 0, s.name(), codec.encode(s)));
            }
        } else if (topic.equals(settings.topics().history())) {
            for (int i = 0; i < history.size(); i++) {
                each.accept(new Inbound(topic, 0, i, 0, "a", history.get(i)));
            }
        }
    }

    @Override
    public synchronized long endOffset(String topic) {
        return topic.equals(settings.topics().events()) ? events.size() : 0;
    }

    @Override
    public synchronized Flux<Inbound> follow(String topic, long fromOffset) {
        List<Inbound> from = topic.equals(settings.topics().events())
                ? List.copyOf(events.subList((int) fromOffset, events.size())) : List.of();
        return Flux.fromIterable(from).concatWith(Flux.never());
    }

    @Override
    public void close() {
    }
}
