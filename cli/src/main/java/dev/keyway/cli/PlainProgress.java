package dev.keyway.cli;

import dev.keyway.message.MigrationStatus;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Progress for a pipe, a file or CI: no escape codes, one line per change. A change is a new state, pause or throttle
 * reason, error, segment done, or {@value #PERCENT_STEP} more percent; while only the row count moves (a run without a
 * total), one line every {@value #HEARTBEAT_MILLIS} ms at most. A migration still waiting for its turn in a series is
 * not printed until it starts.
 */
final class PlainProgress implements LiveProgress {

    static final int PERCENT_STEP = 10;
    static final long HEARTBEAT_MILLIS = 30_000;

    private record Printed(String what, long processed, long at) {
    }

    private final PrintStream out;
    private final Map<String, Printed> printed = new HashMap<>();

    PlainProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void show(List<String> names, Map<String, MigrationStatus> latest, long now) {
        lines(names, latest, now).forEach(out::println);
        out.flush();
    }

    /** The lines due at {@code now}; remembers them as printed. */
    List<String> lines(List<String> names, Map<String, MigrationStatus> latest, long now) {
        List<String> due = new ArrayList<>();
        for (String name : names) {
            MigrationStatus s = latest.get(name);
            if (s == null) {
                continue;
            }
            String what = what(s);
            Printed last = printed.get(name);
            boolean changed = last == null || !last.what().equals(what);
            boolean heartbeat = last != null && s.progress().processed() != last.processed()
                    && s.state().running() && now - last.at() >= HEARTBEAT_MILLIS;
            if (changed || heartbeat) {
                printed.put(name, new Printed(what, s.progress().processed(), now));
                due.add(ProgressBars.plainLine(s, now));
            }
        }
        return due;
    }

    /** What a line is printed for a change of: everything but the row count, the rate and the ETA. */
    private static String what(MigrationStatus s) {
        long step = s.progress().total() == null || s.progress().total() <= 0 ? -1
                : Math.min(99, 100 * s.progress().processed() / s.progress().total()) / PERCENT_STEP;
        return String.join("|", s.state().json(), Objects.toString(s.run().pausedBy()),
                Objects.toString(s.pace().throttledBy()),
                Objects.toString(s.failure().error()), ProgressBars.segments(s), String.valueOf(step));
    }

    @Override
    public void close() {
        out.flush();
    }
}
