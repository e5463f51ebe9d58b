package dev.keyway.cli;

import dev.keyway.codec.JsonCodec;
import dev.keyway.message.MigrationStatus;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Where a watch shows progress: bars redrawn in place on a terminal ({@link TerminalProgress}), else plain lines, one
 * per change ({@link PlainProgress}), or status JSON. Called from one thread at a time; {@link #close()} leaves the
 * last frame on the screen and the cursor below it.
 */
interface LiveProgress extends AutoCloseable {

    /**
     * Shows the migrations named, in order, as of {@code latest} at {@code now}; a name without a status is one of a
     * series still waiting for its turn.
     */
    void show(List<String> names, Map<String, MigrationStatus> latest, long now);

    @Override
    void close();

    /**
     * Bars on the terminal when {@code out} is the standard output and that is a terminal (not a pipe, a file, a
     * dumb terminal); plain lines on {@code out} otherwise.
     */
    static LiveProgress on(PrintStream out) {
        if (out == System.out) {
            out.flush();
            LiveProgress terminal = TerminalProgress.openIfInteractive();
            if (terminal != null) {
                return terminal;
            }
        }
        return new PlainProgress(out);
    }

    /** Each status that changed, as JSON ({@code status --watch --json}). */
    static LiveProgress json(PrintStream out, JsonCodec codec) {
        return new LiveProgress() {
            private final Map<String, MigrationStatus> printed = new java.util.HashMap<>();

            @Override
            public void show(List<String> names, Map<String, MigrationStatus> latest, long now) {
                for (String name : names) {
                    MigrationStatus s = latest.get(name);
                    if (s != null && !s.equals(printed.put(name, s))) {
                        out.println(codec.pretty(s));
                    }
                }
            }

            @Override
            public void close() {
                out.flush();
            }
        };
    }
}
