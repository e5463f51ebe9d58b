package dev.keyway.coordinator.core;

import dev.keyway.message.DryRunReport;
import dev.keyway.message.Excerpt;
import dev.keyway.message.MigrationStatus;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A status fitted into one Kafka record before it is written. The rules already bound every text that reaches a
 * status from outside (a delay's reason, a failed batch's error, a health reason); this is the last check, over the
 * whole status as encoded. Past {@value #MAX_BYTES} bytes it drops what is there to be read, not to be acted on: first
 * the last dry run's changes and the verify's sample (its findings stay in {@code keyway_verify}), then the segments'
 * delay reasons and the error past a few hundred characters. A status that cannot be written would stop every
 * migration: its coordinator could commit nothing.
 */
public final class StatusBudget {

    /** The most bytes a status record may have: half the producer's default {@code max.request.size} (1 MiB). */
    public static final int MAX_BYTES = 512 * 1024;
    /** The characters of an error or a reason a status keeps when it is over budget. */
    static final int SHORT_TEXT = 300;

    private StatusBudget() {
    }

    /**
     * The status, or a lighter copy of it whose size (as {@code size} measures it, in bytes) is within
     * {@value #MAX_BYTES} when dropping what is only there to be read gets it there; else the lightest copy.
     */
    public static MigrationStatus fit(MigrationStatus status, ToIntFunction<MigrationStatus> size) {
        if (size.applyAsInt(status) <= MAX_BYTES) {
            return status;
        }
        DryRunReport report = status.dryRuns().last();
        MigrationStatus lighter = report == null ? status : status.withDryRun(status.dryRuns().pending(),
                new DryRunReport(report.at(), report.cursor(), report.processed(), report.nextCursor(), List.of(),
                        report.error() == null ? null : Excerpt.of(report.error(), SHORT_TEXT),
                        report.omitted() + report.changes().size()));
        if (!lighter.verification().sample().isEmpty()) {
            lighter = lighter.change().verification(new MigrationStatus.Verification(
                    lighter.verification().mismatched(), List.of())).build();
        }
        if (size.applyAsInt(lighter) <= MAX_BYTES) {
            return lighter;
        }
        return lighter.withSegments(lighter.progress().segments().stream().map(s -> s.delayedBy() == null ? s
                        : s.delayedBy(Excerpt.of(s.delayedBy(), SHORT_TEXT / 10))).toList())
                .change().error(lighter.failure().error() == null ? null : Excerpt.of(lighter.failure().error(),
                        SHORT_TEXT))
                .throttledBy(lighter.pace().throttledBy() == null ? null : Excerpt.of(lighter.pace().throttledBy(),
                        SHORT_TEXT)).build();
    }

    /** Whether the status fits ({@link #fit} could not make it fit when this is false). */
    public static boolean fits(MigrationStatus status, ToIntFunction<MigrationStatus> size) {
        return size.applyAsInt(status) <= MAX_BYTES;
    }
}
