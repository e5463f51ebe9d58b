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
 * What the rules decided for one input, as they write it: fences to write (the latest per run), statuses (the
 * latest per migration), tasks, answers, plans, tasks for later, and what the shell must ask the database before the
 * record's decision is complete. {@link #list()} turns it into the step's {@link Effect}s, in the order the shell
 * carries them out.
 */
final class Effects {

    private final Map<String, MigrationStatus> statuses = new LinkedHashMap<>();
    private final List<Task.ProcessBatch> tasks = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<String, RunFence> fences = new LinkedHashMap<>();
    private final List<Effect.PlanSegments> plans = new ArrayList<>();
    private final List<Effect.PublishLater> later = new ArrayList<>();
    /** Questions to the database (tables, ledger, fences) and notes to the shell, in the order asked. */
    private final List<Effect> asked = new ArrayList<>();
    private final List<Effect> notes = new ArrayList<>();

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

    void plan(Effect.PlanSegments p) {
        plans.add(p);
    }

    void later(Task.ProcessBatch t, long dueMillis) {
        later.add(new Effect.PublishLater(t, dueMillis));
    }

    void ask(Effect question) {
        asked.add(question);
    }

    void note(Effect note) {
        notes.add(note);
    }

    List<MigrationStatus> statuses() {
        return List.copyOf(statuses.values());
    }

    List<Task.ProcessBatch> tasks() {
        return List.copyOf(tasks);
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<RunFence> fences() {
        return List.copyOf(fences.values());
    }

    List<Effect.PlanSegments> plans() {
        return List.copyOf(plans);
    }

    List<Effect.PublishLater> later() {
        return List.copyOf(later);
    }

    /**
     * The effects: fences first (written before anything of the record is published), then the questions to the
     * database, then what goes out in the record's transaction (statuses, tasks, answers), then what waits for its
     * commit (plans, tasks for later), then notes.
     */
    List<Effect> list() {
        List<Effect> all = new ArrayList<>();
        fences.values().forEach(f -> all.add(new Effect.WriteFence(f)));
        all.addAll(asked);
        statuses.values().forEach(s -> all.add(new Effect.PublishStatus(s)));
        tasks.forEach(t -> all.add(new Effect.PublishTask(t)));
        events.forEach(e -> all.add(new Effect.Answer(e)));
        all.addAll(plans);
        all.addAll(later);
        all.addAll(notes);
        return all;
    }
}
