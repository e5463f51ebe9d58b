package dev.keyway.it.chaos;

import dev.keyway.message.HistoryEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What must hold of the history topic after a chaos run, whatever coordinators were killed or stalled: each run that
 * succeeded has exactly one {@code started}, then ends and retries alternating (failed or canceled, retried, ...),
 * and exactly one {@code succeeded}, last. A takeover that lost an entry, or wrote one twice (an aborted transaction's
 * entries read, a record decided twice), breaks the alternation.
 */
final class HistoryCheck {

    private static final Set<String> LIFE = Set.of(HistoryEntry.STARTED, HistoryEntry.RETRIED, HistoryEntry.FAILED,
            HistoryEntry.CANCELED, HistoryEntry.SUCCEEDED);

    private HistoryCheck() {
    }

    /** What is wrong with the history of {@code migration}'s runs that succeeded; empty when it holds. */
    static List<String> check(String migration, List<HistoryEntry> history, Collection<String> succeededRuns) {
        List<String> problems = new ArrayList<>();
        for (String run : succeededRuns) {
            List<HistoryEntry> life = history.stream().filter(h -> run.equals(h.runId()) && LIFE.contains(h.kind()))
                    .toList();
            if (!alternates(life.stream().map(HistoryEntry::kind).toList())) {
                problems.add(migration + ": the history of run " + run + " should be started, (failed or canceled,"
                        + " retried)*, succeeded, but was " + life.stream().map(h -> h.kind() + " at " + h.at()
                        + (h.command() == null ? "" : " (" + h.command() + ")")).toList());
            }
        }
        return problems;
    }

    private static boolean alternates(List<String> kinds) {
        if (kinds.size() < 2 || !kinds.get(0).equals(HistoryEntry.STARTED)
                || !kinds.get(kinds.size() - 1).equals(HistoryEntry.SUCCEEDED)) {
            return false;
        }
        for (int i = 1; i < kinds.size() - 1; i++) {
            boolean end = i % 2 == 1;
            String k = kinds.get(i);
            if (end ? !(k.equals(HistoryEntry.FAILED) || k.equals(HistoryEntry.CANCELED))
                    : !k.equals(HistoryEntry.RETRIED)) {
                return false;
            }
        }
        return kinds.size() % 2 == 0;
    }
}
