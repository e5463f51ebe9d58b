package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.coordinator.core.CoordinatorState;
import dev.keyway.coordinator.core.Effect;
import dev.keyway.coordinator.core.HistoryEntries;
import dev.keyway.coordinator.core.StatusBudget;
import dev.keyway.kafka.Inbound;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the core's steps for one record decided to send: statuses, tasks and answers in the record's Kafka
 * transaction ({@link #outbound}); plans and paced tasks after it commits. Batch timings go to the health watch's
 * latencies, drops to the log and the observer (counted by kind), as they are taken. What the record did to each
 * migration, its status before the record against the last one the record writes ({@link HistoryEntries}), and the
 * commands it refused go to the history topic in the same transaction, and to the notifications after it commits.
 */
final class Decided {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final Inbound in;
    private final BatchLatencies latencies;
    private final CoordinatorObserver observer;
    /** The latest status of each migration the record changed, in the order first changed. */
    private final Map<String, MigrationStatus> statuses = new LinkedHashMap<>();
    final List<Task.ProcessBatch> tasks = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    final List<Effect.PlanSegments> plans = new ArrayList<>();
    final List<Effect.PublishLater> later = new ArrayList<>();
    /** What happened, each with the notification targets its run named: made by {@link #outbound}. */
    final List<Happened> history = new ArrayList<>();
    /** The commands refused, in order. */
    private final List<Happened> refused = new ArrayList<>();
    /** The statuses before the record. */
    private final CoordinatorState before;
    /** The command handled, or null for an event. */
    private final Command cause;
    private final long now;

    /** An entry of the history, and the targets its run named ({@code run --notify}). */
    record Happened(HistoryEntry entry, List<String> targets) {
    }

    /**
     * @param before the state before the record: the last status the record writes of a migration is compared with
     *     its status there
     * @param cause the command the record holds, or null when it holds an event
     */
    Decided(Inbound in, BatchLatencies latencies, CoordinatorObserver observer, CoordinatorState before, Command cause,
            long now) {
        this.in = in;
        this.latencies = latencies;
        this.observer = observer;
        this.before = before;
        this.cause = cause;
        this.now = now;
    }

    void take(Effect fx) {
        if (fx instanceof Effect.PublishStatus s) {
            statuses.put(s.status().name(), s.status());
        } else if (fx instanceof Effect.PublishTask t) {
            tasks.add(t.task());
        } else if (fx instanceof Effect.Answer a) {
            if (a.event() instanceof Event.CommandRejected r) {
                MigrationStatus current = r.migration() == null ? null : statuses.containsKey(r.migration())
                        ? statuses.get(r.migration()) : before.find(r.migration()).orElse(null);
                refused.add(new Happened(HistoryEntries.rejected(r, cause, current, now), List.of()));
            }
            events.add(a.event());
        } else if (fx instanceof Effect.PlanSegments p) {
            plans.add(p);
        } else if (fx instanceof Effect.PublishLater l) {
            later.add(l);
        } else if (fx instanceof Effect.BatchesTimed t) {
            latencies.add(t.taskMillis(), t.batches());
        } else if (fx instanceof Effect.Dropped d) {
            dropped(d);
        }
    }

    private void dropped(Effect.Dropped d) {
        observer.dropped(d.kind());
        String format = "dropped {} at {}-{}@{}";
        Object[] args = {d.why(), in.topic(), in.partition(), in.offset()};
        switch (d.level()) {
            case DEBUG -> log.debug(format, args);
            case INFO -> log.info(format, args);
            default -> log.warn(format, args);
        }
    }

    /**
     * The records of the transaction: each status once (its latest), then the tasks, then the answers, then the
     * history entries.
     */
    List<Outbound> outbound(JsonCodec codec, Topics topics) {
        history.clear();
        // the record's net change per migration: a status it wrote on the way (then changed again) is no event of its own
        for (MigrationStatus after : statuses.values()) {
            HistoryEntries.between(before.find(after.name()).orElse(null), after, cause, now)
                    .forEach(h -> history.add(new Happened(h, after.run().notifyTargets())));
        }
        history.addAll(refused);
        List<Outbound> out = new ArrayList<>();
        for (MigrationStatus s : statuses.values()) {
            byte[] json = codec.encode(s);
            if (json.length > StatusBudget.MAX_BYTES) {
                // encoded once on the way out; only a status over its budget is fitted and encoded again
                json = codec.encode(StatusBudget.fit(s, st -> codec.encode(st).length));
                log.warn("the status of {} was over {} bytes: written without its dry run's changes{}", s.name(),
                        StatusBudget.MAX_BYTES, json.length <= StatusBudget.MAX_BYTES ? ""
                                : " and with its texts cut, and still over: its segments' cursors are too long");
            }
            out.add(new Outbound(topics.status(), s.name(), json));
        }
        tasks.forEach(t -> out.add(new Outbound(topics.tasks(), t.recordKey(), codec.encode(t))));
        events.forEach(e -> {
            if (e instanceof Event.CommandRejected r) {
                log.warn("rejected {} of {}: {}", r.command(), r.migration(), r.reason());
            } else if (e instanceof Event.MigrationsListed l) {
                log.info("listed {} migration(s)", l.migrations().size() + l.omitted());
            } else {
                log.info("{}", e);
            }
            out.add(new Outbound(topics.events(), Coordinator.key(e.migration()), codec.encode(e)));
        });
        history.forEach(h -> out.add(new Outbound(topics.history(), h.entry().migration(), codec.encode(h.entry()))));
        statuses.values().forEach(s -> log.debug("status {} {} processed={} cursor={}", s.name(), s.state().json(),
                s.progress().processed(), s.progress().cursor()));
        return out;
    }
}
