package dev.keyway.it.chaos;

import dev.keyway.message.Command;
import dev.keyway.message.Limits;
import dev.keyway.message.RunKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One step of a chaos {@link Schedule}, due {@link #atMillis()} after the schedule starts. */
sealed interface Step permits Step.Fault, Step.Operate {

    /** Which kind of service a fault hits. */
    enum Role { COORDINATOR, WORKER }

    long atMillis();

    /** The step as an operator would read it, without its time. */
    String describe();

    /** A fault of the service in a slot: it is out until the fault ends. */
    sealed interface Fault extends Step permits Kill, Stall {
        Role role();

        int slot();
    }

    /** SIGKILL the service in {@code slot}; a new one takes the slot {@code downMillis} later. */
    record Kill(long atMillis, Role role, int slot, long downMillis) implements Fault {
        @Override
        public String describe() {
            return "SIGKILL " + slotName(role, slot) + ", a new one starts " + seconds(downMillis) + " later";
        }
    }

    /** SIGSTOP the service in {@code slot}, SIGCONT {@code millis} later: slow, not dead. */
    record Stall(long atMillis, Role role, int slot, long millis) implements Fault {
        @Override
        public String describe() {
            return "SIGSTOP " + slotName(role, slot) + " for " + seconds(millis);
        }
    }

    /**
     * An operator command. A {@link Command.Run} from the start is sent only when the migration has succeeded (or
     * never ran), else as a plain run (a resume): see {@link ScheduleRunner}.
     */
    record Operate(long atMillis, Command command) implements Step {
        @Override
        public String describe() {
            return Step.describe(command);
        }
    }

    static String slotName(Role role, int slot) {
        return role.name().toLowerCase(Locale.ROOT) + "#" + slot;
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** A command in the words of {@code bin/migrate}. */
    static String describe(Command command) {
        List<String> words = new ArrayList<>();
        if (command instanceof Command.Run r) {
            words.add(r.kind() == RunKind.VERIFY ? "verify " + r.fn() : r.kind() == RunKind.UNDO ? "undo " + r.fn()
                    : "run " + r.fn());
            if (r.dryRun()) {
                words.add("--dry-run");
            }
            if (r.startAt() != null) {
                words.add("--from-start");
            }
            option(words, "--segments", r.segments());
            option(words, "--batch-size", r.batchSize());
            Limits l = r.limits();
            if (l != null) {
                option(words, "--max-rows-per-second", l.maxRowsPerSecond());
                option(words, "--target-batch-millis", l.targetBatchMillis());
                option(words, "--max-concurrency", l.maxConcurrency());
            }
        } else if (command instanceof Command.Configure c) {
            words.add("configure " + c.fn());
            option(words, "--batch-size", c.batchSize());
            option(words, "--max-rows-per-second", c.maxRowsPerSecond());
            option(words, "--target-batch-millis", c.targetBatchMillis());
            option(words, "--max-concurrency", c.maxConcurrency());
        } else if (command instanceof Command.CancelAll) {
            words.add("cancel --all");
        } else {
            words.add(command.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + command.fn());
        }
        return String.join(" ", words);
    }

    private static void option(List<String> words, String name, Integer value) {
        if (value != null) {
            words.add(name + " " + value);
        }
    }
}
