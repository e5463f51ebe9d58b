package dev.keyway.codec;

import dev.keyway.message.DryRunReport;
import dev.keyway.message.Event;
import dev.keyway.message.FailedBatch;
import dev.keyway.message.LastCommand;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.SegmentStatus;
import dev.keyway.message.UndoOf;
import java.util.List;

/**
 * A status as its JSON has it on the {@code status} topic (docs/CONTRACTS.md, section 4): every field at the top
 * level, in this order (the component's fields first, as in Convex's {@code MigrationStatus}), whatever group of
 * {@link MigrationStatus} holds it. Other clients read this form: a field here is renamed, moved or dropped only
 * with a new {@code schemaVersion}. {@code isDone} is written from the state and not read back.
 */
record StatusJson(
        String name,
        String cursor,
        long processed,
        boolean isDone,
        String error,
        MigrationState state,
        Long latestStart,
        Long latestEnd,
        int batchSize,
        List<String> next,
        String runId,
        String pendingDryRun,
        List<SegmentStatus> segments,
        FailedBatch failedBatch,
        DryRunReport dryRun,
        String requestedBy,
        Long total,
        String throttledBy,
        Limits limits,
        String database,
        LastCommand lastCommand,
        String pausedBy,
        String limitedBy,
        Long pausedSince,
        long startProcessed,
        long updatedAt,
        Long startedAt,
        List<String> notifyTargets,
        long quarantined,
        Long maxQuarantined,
        Double maxQuarantinedPercent,
        boolean onlyQuarantined,
        RunKind runKind,
        long mismatched,
        List<Event.DocumentChange> verifySample,
        boolean keepImages,
        UndoOf undoOf,
        long conflicts) {

    static StatusJson of(MigrationStatus s) {
        MigrationStatus.Run run = s.run();
        MigrationStatus.Progress progress = s.progress();
        MigrationStatus.Pace pace = s.pace();
        return new StatusJson(s.name(), progress.cursor(), progress.processed(), s.isDone(), s.failure().error(),
                s.state(), run.latestStart(), run.latestEnd(), pace.batchSize(), run.next(), run.runId(),
                s.dryRuns().pending(), progress.segments(), s.failure().batch(), s.dryRuns().last(), run.requestedBy(),
                progress.total(), pace.throttledBy(), pace.limits(), run.database(), s.lastCommand(), run.pausedBy(),
                pace.limitedBy(), run.pausedSince(), progress.startProcessed(), s.updatedAt(),
                run.startedAt(), run.notifyTargets(), progress.quarantined(), run.maxQuarantined(),
                run.quarantine().percent(), run.onlyQuarantined(), run.kind(), s.verification().mismatched(),
                s.verification().sample(), run.keepImages(), run.undoOf(), progress.conflicts());
    }

    MigrationStatus status() {
        return MigrationStatus.unknown(name, batchSize).change().state(state).cursor(cursor).processed(processed)
                .error(error).latestStart(latestStart).latestEnd(latestEnd).next(next).runId(runId)
                .pendingDryRun(pendingDryRun).segments(segments).failedBatch(failedBatch).dryRun(dryRun)
                .requestedBy(requestedBy).total(total).throttledBy(throttledBy).limits(limits).database(database)
                .lastCommand(lastCommand).pausedBy(pausedBy).limitedBy(limitedBy).pausedSince(pausedSince)
                .startProcessed(startProcessed).updatedAt(updatedAt).startedAt(startedAt).notifyTargets(notifyTargets)
                .quarantined(quarantined).maxQuarantined(maxQuarantined).maxQuarantinedPercent(maxQuarantinedPercent)
                .onlyQuarantined(onlyQuarantined).kind(runKind)
                .verification(new MigrationStatus.Verification(mismatched, verifySample)).keepImages(keepImages)
                .undoOf(undoOf).conflicts(conflicts).build();
    }
}
