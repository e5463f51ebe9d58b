package dev.keyway.coordinator.internal;

import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What handling one record decided: statuses to write, tasks to publish, answers to send. */
public final class Effects {

    private final Map<String, MigrationStatus> statuses = new LinkedHashMap<>();
    private final List<Task.ProcessBatch> tasks = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    void status(MigrationStatus s) {
        statuses.put(s.name(), s);
    }

    void task(Task.ProcessBatch t) {
        tasks.add(t);
    }

    void event(Event e) {
        events.add(e);
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
