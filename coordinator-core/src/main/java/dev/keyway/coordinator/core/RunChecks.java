package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.RunKind;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What makes a {@code run} command impossible to carry out, said so that its sender can fix it. */
final class RunChecks {

    private RunChecks() {
    }

    /** The reason to reject {@code run}, or empty when it can be carried out. */
    static Optional<String> problem(Command.Run run, MigrationCatalog catalog, Set<String> notifyTargets) {
        List<String> names = new ArrayList<>(run.next());
        names.add(0, run.fn());
        Optional<String> unknown = names.stream().filter(n -> catalog.find(n).isEmpty()).findFirst();
        if (unknown.isPresent()) {
            return Optional.of("unknown migration '" + unknown.get() + "': known migrations are "
                    + catalog.all().stream().map(Migration::name).sorted().toList()
                    + "; put the jar that defines it on the classpath of the coordinator and the workers");
        }
        if (run.batchSize() != null && (run.batchSize() < 1 || run.batchSize() > Migration.MAX_BATCH_SIZE)) {
            return Optional.of("batchSize must be between 1 and " + Migration.MAX_BATCH_SIZE + ", but was "
                    + run.batchSize());
        }
        if (run.segments() != null && (run.segments() < 1 || run.segments() > Migration.MAX_SEGMENTS)) {
            return Optional.of("segments must be between 1 and " + Migration.MAX_SEGMENTS + ", but was " + run.segments());
        }
        if (run.startAt() != null && run.startAt().cursor() != null && !isCursor(run.startAt().cursor())) {
            return Optional.of("cursor must be a JSON array of key values as shown in the status (e.g. \"[500]\"), but"
                    + " was " + run.startAt().cursor());
        }
        if ((run.kind() == RunKind.UNDO) != (run.undoOf() != null)) {
            return Optional.of(run.kind() == RunKind.UNDO ? "an undo names the run it takes back (\"undo\": {\"runId\":"
                    + " …}); nothing was changed" : "only an undo (\"kind\": \"undo\") names a run to undo; nothing was"
                    + " changed");
        }
        if (run.keepImages() && (run.kind() == RunKind.VERIFY || run.kind() == RunKind.UNDO || run.dryRun())) {
            return Optional.of("a " + (run.dryRun() ? "dry run" : run.kind().json() + " run") + " writes nothing to"
                    + " take back: it keeps no before-images; nothing was changed");
        }
        if (run.kind() != RunKind.MIGRATE && (!run.next().isEmpty() || run.dryRun() || run.onlyQuarantined()
                || run.kind() != RunKind.FIX && run.maxQuarantined() != null)) {
            return Optional.of("a " + run.kind().json() + " run takes no next migrations, dry run"
                    + (run.kind() != RunKind.FIX ? ", quarantine" : "") + " or retry of the quarantine; nothing was"
                    + " changed");
        }
        Optional<String> target = run.notifyTargets().stream().filter(n -> !notifyTargets.contains(n)).findFirst();
        if (target.isPresent()) {
            return Optional.of("unknown notification target '" + target.get() + "': this coordinator's targets are "
                    + notifyTargets.stream().sorted().toList() + " (each from its NOTIFY_URL_<NAME>, in lower case); set"
                    + " NOTIFY_URL_" + target.get().toUpperCase(java.util.Locale.ROOT)
                    + " on the coordinator, or name a target it has");
        }
        return Optional.empty();
    }

    private static boolean isCursor(String cursor) {
        String c = cursor.trim();
        return c.length() > 2 && c.startsWith("[") && c.endsWith("]");
    }
}
