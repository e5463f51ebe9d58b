package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.LastCommand;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a status change means for the audit trail: the one place that decides what happened to a run (started,
 * paused, resumed, configured, ended...), for the history topic and the notifications alike. A pure function of two
 * statuses of one migration and the command that caused the change: the shell calls it for each migration a record
 * changed, with its status before the record and the last one the record writes, so each change gives its entries
 * once, in the transaction that writes the status (a record decided again after an aborted transaction gives the
 * same entries, and only the committed ones are read). A run that starts and ends, or goes on and ends, within one
 * record gets both entries.
 */
public final class HistoryEntries {

    private HistoryEntries() {
    }

    /**
     * The entries for one status change.
     *
     * @param before the migration's status before the change, or null when it had none
     * @param after its status after the change
     * @param cause the command being handled, or null when an event (a batch outcome, a plan, the health watch)
     *     caused the change
     * @param decided when the record was received; an entry takes the time its status was stamped with
     *     ({@code updatedAt}), the same as the status's {@code latestEnd} and {@code startedAt}, else this
     */
    public static List<HistoryEntry> between(MigrationStatus before, MigrationStatus after, Command cause,
                                             long decided) {
        long now = after.updatedAt() > 0 ? after.updatedAt() : decided;
        MigrationStatus was = before == null ? MigrationStatus.unknown(after.name(), after.pace().batchSize()) : before;
        String command = causedBy(cause, after) ? cause.type() : null;
        String by = command == null ? null : cause.requestedBy();
        List<HistoryEntry> out = new ArrayList<>();
        MigrationState from = was.state();
        MigrationState to = after.state();
        String runId = after.run().runId();
        boolean sameRun = Objects.equals(was.run().runId(), runId);
        boolean ended = to == MigrationState.SUCCESS || to == MigrationState.FAILED || to == MigrationState.CANCELED
                || to == MigrationState.VERIFIED || to == MigrationState.VERIFY_FAILED;
        // a run may start and end in one record (nothing left to walk): its start is an entry all the same
        boolean newRun = runId != null && !sameRun && (to.running() || ended);
        boolean stopped = from == MigrationState.PAUSED || from == MigrationState.FAILED
                || from == MigrationState.CANCELED || from == MigrationState.VERIFY_FAILED;
        if (newRun) {
            String detail = after.run().kind() == RunKind.VERIFY ? "a verify: reads every row without locks, writes none"
                    : after.run().kind() == RunKind.FIX ? "the " + after.verification().mismatched()
                    + " rows the last verify found"
                    : after.run().kind() == RunKind.UNDO ? "an undo of run " + after.run().undoOf().runId()
                    + (after.run().undoOf().force() ? ", forced" : "")
                    : after.run().onlyQuarantined() ? "the documents in quarantine"
                    : after.run().next().isEmpty() ? null : "then " + String.join(", ", after.run().next());
            out.add(entry(HistoryEntry.STARTED, after, now, by != null ? by : after.run().requestedBy(), command,
                    detail, parameters(after, cause), null));
        } else if (sameRun && stopped && (to.running() || to == MigrationState.SUCCESS
                || to == MigrationState.VERIFIED)) {
            // it goes on (and may find nothing left): resumed after a pause, retried after a failure or a cancel
            if (from == MigrationState.PAUSED) {
                out.add(entry(HistoryEntry.RESUMED, after, now, command == null ? MigrationStatus.PAUSED_BY_HEALTH : by,
                        command, command == null ? "health returned" : null, null, null));
            } else {
                out.add(entry(HistoryEntry.RETRIED, after, now, by != null ? by : after.run().requestedBy(), command,
                        "goes on from cursor " + after.progress().cursor() + " after it " + from.json(),
                        parameters(after, cause), null));
            }
        }
        if (to == MigrationState.PAUSED && (from != MigrationState.PAUSED
                || !Objects.equals(was.run().pausedBy(), after.run().pausedBy()))) {
            boolean health = after.pausedByHealth();
            out.add(entry(HistoryEntry.PAUSED, after, now, health ? MigrationStatus.PAUSED_BY_HEALTH : by, command,
                    health ? after.pace().throttledBy()
                            : from == MigrationState.PAUSED ? "was paused by a health signal; stays paused until resumed"
                            : null, null, outcome(after, now, null)));
        }
        if (ended && (to != from || newRun)) {
            String kind = switch (to) {
                case SUCCESS -> HistoryEntry.SUCCEEDED;
                case FAILED -> HistoryEntry.FAILED;
                case VERIFIED -> HistoryEntry.VERIFIED;
                case VERIFY_FAILED -> HistoryEntry.VERIFY_FAILED;
                default -> HistoryEntry.CANCELED;
            };
            String detail = after.run().kind() == RunKind.UNDO && to == MigrationState.SUCCESS
                    ? "undid run " + after.run().undoOf().runId() + "; " + after.progress().conflicts() + " conflict(s): rows"
                    + " changed since, left as they are" : null;
            out.add(entry(kind, after, now, by, command, detail, null, outcome(after, now, after.failure().error())));
        }
        if (after.dryRuns().pending() != null && !after.dryRuns().pending().equals(was.dryRuns().pending())) {
            out.add(new HistoryEntry(HistoryEntry.DRY_RUN, after.name(), after.dryRuns().pending(), now,
                    by != null ? by : after.run().requestedBy(), command, null, parameters(after, cause), null));
        }
        LastCommand last = after.lastCommand();
        if (last != null && !last.equals(was.lastCommand()) && Command.Configure.TYPE.equals(last.command())) {
            out.add(entry(HistoryEntry.CONFIGURED, after, now, last.requestedBy(), last.command(),
                    configured(cause), parameters(after, null), null));
        }
        return out;
    }

    /**
     * The entry for a command the coordinator refused: who tried what, and why it was refused.
     *
     * @param current the migration's status when it was refused, or null when it has none
     */
    public static HistoryEntry rejected(Event.CommandRejected answer, Command cause, MigrationStatus current, long now) {
        return new HistoryEntry(HistoryEntry.REJECTED, answer.migration() == null ? "*" : answer.migration(),
                current == null ? null : current.run().runId(), now, cause == null ? null : cause.requestedBy(),
                answer.command(), answer.reason(), null, null);
    }

    /** Whether {@code cause} names this migration (or cancels all): only then did it cause the change. */
    private static boolean causedBy(Command cause, MigrationStatus after) {
        return cause != null && (cause.fn() == null ? cause instanceof Command.CancelAll : cause.fn().equals(after.name()));
    }

    private static HistoryEntry entry(String kind, MigrationStatus s, long now, String by, String command, String detail,
                                      HistoryEntry.Parameters parameters, HistoryEntry.Outcome outcome) {
        return new HistoryEntry(kind, s.name(), s.run().runId(), now, by, command, detail, parameters, outcome);
    }

    /** What the run runs with; a run being planned has no segments yet, and the command says how many it asked. */
    private static HistoryEntry.Parameters parameters(MigrationStatus s, Command cause) {
        Integer asked = cause instanceof Command.Run r && r.fn().equals(s.name()) ? r.segments() : null;
        int segments = s.progress().segments().size();
        return new HistoryEntry.Parameters(s.progress().cursor(), s.pace().batchSize(), s.pace().limits(),
                segments == 0 && asked != null ? asked : segments, s.run().next(), s.run().notifyTargets());
    }

    private static HistoryEntry.Outcome outcome(MigrationStatus s, long now, String error) {
        Long start = s.run().startedAt();
        long end = s.run().latestEnd() != null ? s.run().latestEnd() : now;
        return new HistoryEntry.Outcome(s.progress().processed(), start == null ? null : Math.max(0, end - start),
                error, s.failure().batch() == null ? null : s.failure().batch().documentId(), s.progress().quarantined());
    }

    private static String configured(Command cause) {
        if (!(cause instanceof Command.Configure c)) {
            return null;
        }
        List<String> set = new ArrayList<>();
        add(set, "batchSize", c.batchSize());
        add(set, "maxRowsPerSecond", c.maxRowsPerSecond());
        add(set, "targetBatchMillis", c.targetBatchMillis());
        add(set, "maxConcurrency", c.maxConcurrency());
        return String.join(", ", set);
    }

    private static void add(List<String> set, String name, Integer value) {
        if (value != null) {
            set.add(name + "=" + value);
        }
    }
}
