package dev.keyway.cli;

import dev.keyway.message.MigrationStatus;
import java.io.PrintStream;
import java.util.Collection;

/** Renders statuses for people. */
final class StatusTable {

    private StatusTable() {
    }

    static void print(PrintStream out, Collection<MigrationStatus> statuses, long now) {
        out.printf("%-26s %-10s %12s %10s %9s  %s%n", "MIGRATION", "STATE", "PROCESSED", "ROWS/S", "SEGMENTS", "CURSOR / ERROR");
        for (MigrationStatus s : statuses) {
            out.printf("%-26s %-10s %,12d %10s %9s  %s%n", s.name(), s.state().json(), s.processed(), rate(s, now),
                    s.segments().stream().filter(x -> x.done()).count() + "/" + s.segments().size(),
                    s.error() != null ? s.error() : s.cursor());
        }
    }

    static String rate(MigrationStatus s, long now) {
        if (s.latestStart() == null) {
            return "-";
        }
        long end = s.latestEnd() != null ? s.latestEnd() : now;
        double secs = Math.max(0.001, (end - s.latestStart()) / 1000.0);
        return String.format("%,.0f", s.processed() / secs);
    }
}
