package dev.keyway.coordinator.core;

import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import dev.keyway.store.RunFence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What handling one record decided: fences to write to the database, then statuses to write, tasks to
 * publish and answers to send in one Kafka transaction, and plans to make afterwards.
 */
public final class Effects {

    private final Map<String, MigrationStatus> statuses = new LinkedHashMap<>();
    private final List<Task.ProcessBatch> tasks = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<String, RunFence> fences = new LinkedHashMap<>();
    private final List<PlanRequest> plans = new ArrayList<>();
    private final List<Scheduled> later = new ArrayList<>();

    /** A task to publish at {@code dueMillis}, not before: the migration's rate limit spaces its batches. */
    public record Scheduled(Task.ProcessBatch task, long dueMillis) {
    }

    /** A run whose segments must be planned (count, split points) before its first task. */
    public record PlanRequest(String migration, String runId, Integer segments) {
    }

    void status(MigrationStatus s) {
        statuses.put(s.name(), s);
    }

    void task(Task.ProcessBatch t) {
        tasks.add(t);
    }

    void event(Event e) {
        events.add(e);
    }

    void fence(RunFence f) {
        fences.put(f.migration() + (f.isDryRun() ? "/dry run" : ""), f);
    }

    void plan(PlanRequest p) {
        plans.add(p);
    }

    void later(Task.ProcessBatch t, long dueMillis) {
        later.add(new Scheduled(t, dueMillis));
    }

    /**
     * Tasks to publish later, outside the Kafka transaction: a task is idempotent (the fence and the ledger), so
     * publishing it late, or twice, is safe; a coordinator that takes over publishes them again.
     */
    public List<Scheduled> later() {
        return List.copyOf(later);
    }

    /** Fences to write to the database before anything of this record is published. */
    public List<RunFence> fences() {
        return List.copyOf(fences.values());
    }

    /** Plans to make away from the Kafka transaction; each ends as a {@link Event.RunPlanned}. */
    public List<PlanRequest> plans() {
        return List.copyOf(plans);
    }

    public List<MigrationStatus> statuses() {
        return List.copyOf(statuses.values());
    }

    public List<Task.ProcessBatch> tasks() {
        return List.copyOf(tasks);
    }

    public List<Event> events() {
        return List.copyOf(events);
    }
}
