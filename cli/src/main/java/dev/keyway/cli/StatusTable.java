package dev.keyway.cli;

import dev.keyway.message.Limits;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.QuarantineLimit;
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
            out.printf("%-26s %-10s %,12d %6s %10s %8s %9s  %s%n", s.name(), s.state().json(), s.progress().processed(),
                    percent(s), rate(s, now), eta(s, now),
                    s.progress().segments().stream().filter(x -> x.done()).count() + "/" + s.progress().segments().size(),
                    detail(s));
        }
    }

    /** The error; else the cursor, the limits in force, and why the migration goes slower than they allow. */
    static String detail(MigrationStatus s) {
        if (s.failure().error() != null) {
            return s.failure().error();
        }
        StringBuilder b = new StringBuilder(String.valueOf(s.progress().cursor()));
        if (s.progress().quarantined() > 0 || s.run().maxQuarantined() != null) {
            b.append("; quarantined: ").append(s.progress().quarantined());
            if (s.run().maxQuarantined() != null) {
                b.append(" (at most ").append(s.run().maxQuarantined());
                if (s.run().quarantine().percent() != null) {
                    b.append(": ").append(QuarantineLimit.percent(s.run().quarantine().percent()));
                }
                b.append(")");
            }
        }
        MigrationStatus.Pace pace = s.pace();
        Limits limits = pace.limits();
        if (limits != null && limits.maxRowsPerSecond() != null) {
            b.append("; at most ").append(limits.maxRowsPerSecond()).append(" rows/s");
        }
        if (limits != null && limits.targetBatchMillis() != null) {
            b.append("; batches of ~").append(limits.targetBatchMillis()).append(" ms, up to ").append(pace.batchSize())
                    .append(" rows");
        }
        if (limits != null && limits.maxConcurrency() != null) {
            b.append("; at most ").append(limits.maxConcurrency()).append(" segment(s) at once");
        }
        if (s.run().pausedBy() != null) {
            b.append("; paused by ").append(s.run().pausedBy());
        }
        if (pace.throttledBy() != null) {
            b.append("; ").append(pace.throttledBy());
        } else if (pace.limitedBy() != null) {
            b.append("; limited by ").append(pace.limitedBy());
        }
        return b.toString();
    }

    static String percent(MigrationStatus s) {
        if (s.isDone()) {
            return "100%";
        }
        MigrationStatus.Progress p = s.progress();
        return p.total() == null || p.total() == 0 ? "-" : Math.min(99, 100 * p.processed() / p.total()) + "%";
    }

    /** Remaining rows at the run's average rate so far. */
    static String eta(MigrationStatus s, long now) {
        MigrationStatus.Progress p = s.progress();
        if (!s.state().running() || p.total() == null
                || s.run().latestStart() == null || p.processed() == 0) {
            return "-";
        }
        // over the time it ran: a pause does not count
        double perMs = s.rowsPerSecond(now) / 1000;
        if (perMs <= 0) {
            return "-";
        }
        long seconds = (long) (Math.max(0, s.progress().total() - s.progress().processed()) / perMs / 1000);
        return seconds >= 3600 ? (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m"
                : seconds >= 60 ? (seconds / 60) + "m" + (seconds % 60) + "s" : seconds + "s";
    }

    static String rate(MigrationStatus s, long now) {
        if (s.run().latestStart() == null) {
            return "-";
        }
        return String.format("%,.0f", s.rowsPerSecond(now));
    }
}
