package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.coordinator.internal.Effects;
import dev.keyway.coordinator.internal.MigrationControl;
import dev.keyway.coordinator.internal.SegmentPlanner;
import dev.keyway.coordinator.internal.StatusView;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The coordinator: consumes commands and batch outcomes, keeps every migration's status (rebuilt from
 * the compacted status topic whenever it is assigned the input partitions), and publishes status
 * changes, next tasks and answers in the same Kafka transaction as the consumed offsets.
 *
 * <p>Several instances may run: they share one consumer group over single-partition input topics, so
 * one is active and the others stand by until it dies.
 */
public final class Coordinator {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final KafkaGateway kafka;
    private final Topics topics;
    private final JsonCodec codec = new JsonCodec();
    private final StatusView view = new StatusView();
    private final MigrationControl control;
    private final Scheduler scheduler;

    /**
     * @param store used to plan segments (count rows, sample split points)
     * @param scheduler runs the blocking work of handling a record (store queries)
     */
    public Coordinator(KafkaGateway kafka, Store store, MigrationCatalog catalog, Clock clock, Scheduler scheduler) {
        this.kafka = kafka;
        this.topics = kafka.settings().topics();
        this.scheduler = scheduler;
        this.control = new MigrationControl(view, catalog,
                new SegmentPlanner(store, kafka.settings().taskPartitions()), clock, MigrationControl.randomIds());
    }

    /** Runs until cancelled. Creates the topics if missing. */
    public Mono<Void> run() {
        return Mono.fromRunnable(kafka::ensureTopics).subscribeOn(scheduler)
                .then(kafka.processor(kafka.settings().topicPrefix() + "coordinator",
                        List.of(topics.commands(), topics.events()), 500).run(this::handle, this::rebuild));
    }

    private synchronized void rebuild() {
        List<Inbound> log = kafka.readToEnd(topics.status());
        view.rebuild(log.stream().filter(r -> r.value() != null).map(r -> codec.decodeStatus(r.value()))
                .collect(Collectors.toList()));
        Coordinator.log.info("took over: rebuilt {} migration status(es) from {}", view.all().size(), topics.status());
    }

    private Mono<List<Outbound>> handle(Inbound in) {
        return Mono.fromCallable(() -> decide(in)).subscribeOn(scheduler);
    }

    private synchronized List<Outbound> decide(Inbound in) {
        Effects fx;
        if (in.topic().equals(topics.commands())) {
            try {
                Command c = codec.decodeCommand(in.value());
                log.info("command {}", new String(in.value(), StandardCharsets.UTF_8));
                fx = control.onCommand(c);
            } catch (MalformedMessageException e) {
                log.warn("rejected command at {}-{}@{}: {}", in.topic(), in.partition(), in.offset(), e.getMessage());
                Event reject = new Event.CommandRejected(in.key(), "malformed", e.getMessage()
                        + " (expected e.g. {\"type\":\"run\",\"fn\":\"setDefaultValue\"})");
                return List.of(new Outbound(topics.events(), key(in.key()), codec.encode(reject)));
            }
        } else {
            Event e;
            try {
                e = codec.decodeEvent(in.value());
            } catch (MalformedMessageException ex) {
                log.warn("dropped a malformed event at {}-{}@{}: {}", in.topic(), in.partition(), in.offset(),
                        ex.getMessage());
                return List.of();
            }
            fx = control.onEvent(e);
        }
        return outbound(fx);
    }

    private List<Outbound> outbound(Effects fx) {
        List<Outbound> out = new ArrayList<>();
        fx.statuses().forEach(s -> out.add(new Outbound(topics.status(), s.name(), codec.encode(s))));
        fx.tasks().forEach(t -> out.add(new Outbound(topics.tasks(), t.key(), codec.encode(t))));
        fx.events().forEach(e -> {
            if (e instanceof Event.CommandRejected r) {
                log.warn("rejected {} of {}: {}", r.command(), r.migration(), r.reason());
            } else {
                log.info("{}", e);
            }
            out.add(new Outbound(topics.events(), key(e.migration()), codec.encode(e)));
        });
        fx.statuses().forEach(s -> log.debug("status {} {} processed={} cursor={}", s.name(), s.state().json(),
                s.processed(), s.cursor()));
        return out;
    }

    private static String key(String migration) {
        return migration == null ? "*" : migration;
    }
}
