package dev.keyway.it.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a chaos run did, line by line, with the time since its schedule began (lines before it, the setup, are
 * marked so): printed with the schedule, whose times it shares, on failure. Thread-safe.
 */
final class Journal {

    private final List<String> lines = new ArrayList<>();
    private long originNanos = System.nanoTime();
    private boolean begun;

    /** The schedule's time zero is now. */
    synchronized void begin() {
        originNanos = System.nanoTime();
        begun = true;
        note("the schedule begins");
    }

    /** Milliseconds since the schedule began (since the journal was made, before). */
    synchronized long elapsedMillis() {
        return (System.nanoTime() - originNanos) / 1_000_000;
    }

    synchronized void note(String line) {
        lines.add(begun ? String.format(Locale.ROOT, "  t+%7s  %s", Step.seconds(elapsedMillis()), line)
                : String.format(Locale.ROOT, "  setup %7s  %s", Step.seconds(elapsedMillis()), line));
    }

    @Override
    public synchronized String toString() {
        return String.join("\n", lines);
    }
}
