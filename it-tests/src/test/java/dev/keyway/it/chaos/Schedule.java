package dev.keyway.it.chaos;

import dev.keyway.message.Command;
import dev.keyway.message.Limits;
import dev.keyway.message.RunKind;
import dev.keyway.migration.Migration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a chaos run does and when, decided by its seed alone, up front: the same seed gives the same schedule
 * (times, processes, commands). Executing it takes real time, so a replay repeats the schedule, not every
 * interleaving. Pure: no clock, no I/O.
 *
 * @param seed the seed it was generated from
 * @param length how long the schedule lasts; the last step is due before it ends
 * @param steps in the order they are due
 */
record Schedule(long seed, Duration length, List<Step> steps) {

    static final int COORDINATORS = 2;
    static final int WORKERS = 2;

    Schedule {
        steps = List.copyOf(steps);
    }

    /**
     * The schedule of {@code seed}: each migration runs at once, then a step every 1 to 5 s until the end; one step
     * in five follows the one before within half a second (a crash just after a command meets the coordinator in
     * the middle of it: planning a run, closing a fence).
     */
    static Schedule generate(long seed, Duration length) {
        Random random = new Random(seed);
        List<Step> steps = new ArrayList<>();
        long at = 0;
        for (Migration m : ChaosMigrations.ALL) {
            steps.add(new Step.Operate(at, newRun(random, m.name())));
            at += 200;
        }
        at += 1_000 + random.nextInt(2_000);
        while (at < length.toMillis()) {
            steps.add(step(random, at));
            at += random.nextInt(5) == 0 ? 100 + random.nextInt(400) : 1_000 + random.nextInt(4_000);
        }
        return new Schedule(seed, length, steps);
    }

    private static Step step(Random random, long at) {
        int roll = random.nextInt(100);
        String name = ChaosMigrations.ALL.get(random.nextInt(ChaosMigrations.ALL.size())).name();
        if (roll < 12) {
            return new Step.Kill(at, Step.Role.WORKER, random.nextInt(WORKERS), random.nextInt(8_000));
        } else if (roll < 20) {
            return new Step.Kill(at, Step.Role.COORDINATOR, random.nextInt(COORDINATORS), random.nextInt(8_000));
        } else if (roll < 30) {
            return new Step.Stall(at, Step.Role.WORKER, random.nextInt(WORKERS), 500 + random.nextInt(15_000));
        } else if (roll < 38) {
            return new Step.Stall(at, Step.Role.COORDINATOR, random.nextInt(COORDINATORS), 500 + random.nextInt(15_000));
        } else if (roll < 56) {
            return new Step.Operate(at, random.nextInt(4) == 0 ? Command.Run.of(name) : newRun(random, name));
        } else if (roll < 64) {
            return new Step.Operate(at, new Command.Pause(name));
        } else if (roll < 73) {
            return new Step.Operate(at, new Command.Resume(name));
        } else if (roll < 81) {
            return new Step.Operate(at, new Command.Cancel(name));
        } else if (roll < 83) {
            return new Step.Operate(at, new Command.CancelAll());
        } else if (roll < 96) {
            return new Step.Operate(at, configure(random, name));
        }
        // 96: a dry run; 97: an undo of the latest run (issue 19: each row restored once, the application's changes
        // since left alone; ScheduleRunner names the run); 98-99: a verify (it must write nothing, and a finished one
        // count every row once, whatever the faults). The seeds that roll below 97 keep the schedules they had before
        if (roll == 97) {
            return new Step.Operate(at, Command.Run.of(name).withUndoOf(ScheduleRunner.LATEST_RUN));
        }
        return new Step.Operate(at, roll < 97 ? Command.Run.of(name).withDryRun(true)
                : Command.Run.of(name).withKind(RunKind.VERIFY));
    }

    /**
     * A run from the start, with its own segments, sometimes a batch size; mostly with a rate limit (so that it is
     * still running when later steps come: a run at full speed is over in seconds), sometimes a batch time target
     * and a concurrency limit.
     */
    private static Command.Run newRun(Random random, String name) {
        Command.Run run = Command.Run.of(name).withStartAt(Command.StartAt.beginning())
                .withSegments(1 + random.nextInt(8));
        if (random.nextBoolean()) {
            run = run.withBatchSize(pick(random, 50, 100, 300));
        }
        Integer rate = random.nextInt(4) > 0 ? pick(random, 1_000, 2_000, 4_000) : null;
        Integer target = random.nextInt(3) == 0 ? pick(random, 20, 100) : null;
        Integer concurrency = random.nextBoolean() ? pick(random, 1, 2, 4) : null;
        return run.withLimits(new Limits(rate, target, concurrency).orNull());
    }

    /** New limits: each one kept (null), changed or lifted (0). */
    private static Command.Configure configure(Random random, String name) {
        Integer batchSize = random.nextInt(3) == 0 ? pick(random, 50, 100, 250, 500) : null;
        Integer rate = random.nextBoolean() ? pick(random, 0, 1_000, 2_000, 4_000) : null;
        Integer target = random.nextInt(4) == 0 ? pick(random, 0, 20, 100) : null;
        Integer concurrency = random.nextBoolean() ? pick(random, 0, 1, 2, 4) : null;
        if (batchSize == null && rate == null && target == null && concurrency == null) {
            concurrency = 0;
        }
        return new Command.Configure(name, batchSize, rate, target, concurrency);
    }

    private static int pick(Random random, int... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** One line per step: its time, then what it does. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("schedule of seed " + seed + " (" + Step.seconds(length.toMillis())
                + ", " + steps.size() + " steps):\n");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            out.append(String.format(java.util.Locale.ROOT, "  %3d  t+%7s  %s%n", i, Step.seconds(s.atMillis()),
                    s.describe()));
        }
        return out.toString();
    }
}
