package dev.keyway.it.chaos;

import dev.keyway.client.MigrationsClient;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.UndoOf;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Carries out a {@link Schedule} on a {@link ProcessCluster}: two coordinators (one active, one standing by) and
 * two workers, each in a slot. A fault takes its slot out for a while (a new process after a kill, SIGCONT after a
 * stall, on a timer, so the schedule goes on meanwhile); a fault due on a slot that is still out is skipped.
 * Operator commands are sent one at a time, each waiting for its answer, so the coordinator takes them in the
 * order of the schedule. Writes every step and answer to the {@link Journal}.
 */
final class ScheduleRunner implements AutoCloseable {

    /**
     * The run an undo step of the schedule names: the migration's latest run, as {@link #operate} finds it when the
     * step is due (the schedule is made before any run has an id).
     */
    static final UndoOf LATEST_RUN = new UndoOf("latest", false);

    /** How long an operator waits for a coordinator's answer: a standby takes over in about 10 s. */
    static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);

    private final ProcessCluster cluster;
    private final MigrationsClient client;
    private final Journal journal;
    private final Map<Step.Role, ServiceProcess[]> slots = new EnumMap<>(Step.Role.class);
    private final Map<Step.Role, boolean[]> out = new EnumMap<>(Step.Role.class);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    ScheduleRunner(ProcessCluster cluster, MigrationsClient client, Journal journal) {
        this.cluster = cluster;
        this.client = client;
        this.journal = journal;
        slots.put(Step.Role.COORDINATOR, new ServiceProcess[Schedule.COORDINATORS]);
        slots.put(Step.Role.WORKER, new ServiceProcess[Schedule.WORKERS]);
        slots.forEach((role, s) -> out.put(role, new boolean[s.length]));
    }

    /**
     * Starts a service in every slot, coordinators first, and waits until a coordinator answers (a resume of a
     * migration that does not run, refused): the schedule's time zero is when the cluster works.
     */
    void startServices() {
        synchronized (this) {
            for (Step.Role role : Step.Role.values()) {
                for (int slot = 0; slot < slots.get(role).length; slot++) {
                    startIn(role, slot);
                }
            }
        }
        String name = ChaosMigrations.ALL.get(0).name();
        journal.note("resume " + name + " (is a coordinator there?) -> " + operate(new Command.Resume(name)));
    }

    private synchronized void startIn(Step.Role role, int slot) {
        ServiceProcess p = role == Step.Role.COORDINATOR ? cluster.coordinator() : cluster.worker();
        slots.get(role)[slot] = p;
        out.get(role)[slot] = false;
        journal.note("started " + p.name() + " (pid " + p.pid() + ") in " + Step.slotName(role, slot));
    }

    /** Runs every step at its time (later when an answer took long); returns when the last one is done. */
    void run(Schedule schedule) throws Exception {
        for (int i = 0; i < schedule.steps().size(); i++) {
            Step step = schedule.steps().get(i);
            long wait = step.atMillis() - journal.elapsedMillis();
            if (wait > 0) {
                Thread.sleep(wait); // the schedule's own pace: waiting for a step's time, not for a condition
            }
            String prefix = "[" + i + "] " + step.describe();
            if (step instanceof Step.Operate o) {
                journal.note(prefix + " -> " + operate(o.command()));
                askList(i);
            } else {
                journal.note(prefix + " -> " + fault((Step.Fault) step));
            }
        }
    }

    /**
     * A read-only {@code list} beside each operator step (issue 16), on a thread of its own and drawing nothing from
     * the seed's random stream, so every seed keeps its schedule: it must change nothing the oracle checks, and a
     * coordinator mid-crash may not answer.
     */
    private void askList(int step) {
        Thread asking = new Thread(() -> journal.note("[" + step + "] list -> " + client.list("chaos",
                        Duration.ofSeconds(5))
                .map(e -> e instanceof Event.MigrationsListed l ? l.migrations().size() + " migration(s)" : e.toString())
                .orElse("no answer within 5 s")), "chaos-list-" + step);
        asking.setDaemon(true);
        asking.start();
    }

    private synchronized String fault(Step.Fault step) throws IOException, InterruptedException {
        Step.Role role = step.role();
        int slot = step.slot();
        if (out.get(role)[slot]) {
            return "skipped: the slot is still out";
        }
        ServiceProcess p = slots.get(role)[slot];
        if (!p.isAlive()) {
            return "skipped: " + p.name() + " has ended by itself (a warning once the schedule is over)";
        }
        out.get(role)[slot] = true;
        if (step instanceof Step.Kill k) {
            p.kill();
            timer.schedule(() -> startIn(role, slot), k.downMillis(), TimeUnit.MILLISECONDS);
            return "killed " + p.name();
        }
        p.pause(true);
        timer.schedule(() -> cont(role, slot, p), ((Step.Stall) step).millis(), TimeUnit.MILLISECONDS);
        return "stopped " + p.name();
    }

    private synchronized void cont(Step.Role role, int slot, ServiceProcess p) {
        try {
            p.pause(false);
            journal.note("SIGCONT " + p.name());
        } catch (IOException e) {
            journal.note("SIGCONT " + p.name() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.get(role)[slot] = false;
    }

    /**
     * Sends a command and waits for its answer. A run from the start goes out as such only when the migration
     * has succeeded or never ran, else as a plain run (a resume): a run abandoned half way and started over would
     * cover its rows a number of times the oracle cannot know.
     */
    String operate(Command command) {
        Command sent = command;
        String note = "";
        if (command instanceof Command.Run run && run.kind() == RunKind.UNDO) {
            // an undo takes back the run that succeeded last, and only that: the oracle can then tell each row's value
            MigrationStatus now = client.statuses().get(run.fn());
            if (now == null || now.state() != MigrationState.SUCCESS || now.run().kind() != RunKind.MIGRATE) {
                return "skipped: the latest run of " + run.fn() + " is not a run that succeeded ("
                        + (now == null ? "none" : now.run().kind().json() + " " + now.state().json()) + ")";
            }
            sent = run.withUndoOf(new UndoOf(now.run().runId(), false));
            note = "(run " + now.run().runId() + ") ";
        }
        if (command instanceof Command.Run run && run.startAt() != null && !run.dryRun()) {
            MigrationStatus now = client.statuses().get(run.fn());
            MigrationState state = now == null ? MigrationState.UNKNOWN : now.state();
            if (!Completion.succeeded(state) && state != MigrationState.UNKNOWN) {
                sent = run.withStartAt(null);
                note = "(sent without --from-start: " + state.json() + ") ";
            }
        }
        Event answer = client.send(sent, ANSWER_TIMEOUT);
        return note + (answer instanceof Event.CommandAccepted a ? a.action() + ": " + a.detail()
                : "rejected: " + ((Event.CommandRejected) answer).reason());
    }

    /**
     * Lets every fault end (the timers' kills restart, stalls continue) and starts a new service in any slot whose
     * process ended by itself; returns those, with the last error of their log. A service that dies on its own
     * threatens neither exactly once nor progress (its slot is filled again, as a supervisor would), but it is worth
     * a look: the report lists them as warnings.
     */
    List<String> restore(Duration timeout) throws InterruptedException, IOException {
        timer.shutdown();
        List<String> ended = new ArrayList<>();
        if (!timer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            ended.add("the faults did not end within " + timeout.toSeconds() + " s");
        }
        synchronized (this) {
            for (Step.Role role : Step.Role.values()) {
                ServiceProcess[] s = slots.get(role);
                for (int slot = 0; slot < s.length; slot++) {
                    if (!s[slot].isAlive()) {
                        ended.add(s[slot].name() + " in " + Step.slotName(role, slot) + " ended by itself: "
                                + lastError(s[slot]));
                        startIn(role, slot);
                    }
                }
            }
        }
        journal.note("every fault ended: all services run");
        return ended;
    }

    private static String lastError(ServiceProcess p) throws IOException {
        List<String> errors = p.output().lines().filter(l -> l.contains(" ERROR ")).toList();
        return errors.isEmpty() ? "(no error logged)" : errors.get(errors.size() - 1);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
