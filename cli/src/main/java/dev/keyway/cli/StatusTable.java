package dev.keyway.cli;

import dev.keyway.message.MigrationStatus;
import java.io.PrintStream;
import java.util.Collection;

/** Renders statuses for people. */
final class StatusTable {

    private StatusTable() {
    }

    static void print(PrintStream out, Collection<MigrationStatus> statuses, long now) {
        out.printf("%-26s %-10s %12s %6s %10s %8s %9s  %s%n", "MIGRATION", "STATE", "PROCESSED", "DONE", "ROWS/S", "ETA",
                "SEGMENTS", "CURSOR / LIMITS / WHY SLOWER / ERROR");
        for (MigrationStatus s : statuses) {
            out.printf("%-26s %-10s %,12d %6s %10s %8s %9s  %s%n", s.name(), s.state().json(), s.processed(),
                    percent(s), rate(s, now), eta(s, now),
                    s.segments().stream().filter(x -> x.done()).count() + "/" + s.segments().size(),
                    detail(s));
        }
    }

    /** The error; else the cursor, the limits in force, and why the migration goes slower than they allow. */
    static String detail(MigrationStatus s) {
        if (s.error() != null) {
            return s.error();
        }
        StringBuilder b = new StringBuilder(String.valueOf(s.cursor()));
        if (s.limits() != null && s.limits().maxRowsPerSecond() != null) {
            b.append("; at most ").append(s.limits().maxRowsPerSecond()).append(" rows/s");
        }
        if (s.limits() != null && s.limits().targetBatchMillis() != null) {
            b.append("; batches of ~").append(s.limits().targetBatchMillis()).append(" ms, up to ").append(s.batchSize())
                    .append(" rows");
        }
        if (s.limits() != null && s.limits().maxConcurrency() != null) {
            b.append("; at most ").append(s.limits().maxConcurrency()).append(" segment(s) at once");
        }
        if (s.pausedBy() != null) {
            b.append("; paused by ").append(s.pausedBy());
        }
        if (s.throttledBy() != null) {
            b.append("; ").append(s.throttledBy());
        } else if (s.limitedBy() != null) {
            b.append("; limited by ").append(s.limitedBy());
        }
        return b.toString();
    }

    static String percent(MigrationStatus s) {
        if (s.isDone()) {
            return "100%";
        }
        return s.total() == null || s.total() == 0 ? "-" : Math.min(99, 100 * s.processed() / s.total()) + "%";
    }

    /** Remaining rows at the run's average rate so far. */
    static String eta(MigrationStatus s, long now) {
        if (s.state() != dev.keyway.message.MigrationState.IN_PROGRESS || s.total() == null || s.latestStart() == null
                || s.processed() == 0) {
            return "-";
        }
        // over the time it ran: a pause does not count
        double perMs = s.rowsPerSecond(now) / 1000;
        if (perMs <= 0) {
            return "-";
        }
        long seconds = (long) (Math.max(0, s.total() - s.processed()) / perMs / 1000);
        return seconds >= 3600 ? (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m"
                : seconds >= 60 ? (seconds / 60) + "m" + (seconds % 60) + "s" : seconds + "s";
    }

    static String rate(MigrationStatus s, long now) {
        if (s.latestStart() == null) {
            return "-";
        }
        return String.format("%,.0f", s.rowsPerSecond(now));
    }
}
