package dev.keyway.message;

import java.util.List;
import java.util.Objects;

/**
 * One entry of the audit trail on the {@code history} topic (docs/CONTRACTS.md, section 6): something that happened to
 * a migration's run, or a command the coordinator refused. The coordinator writes each entry in the same Kafka
 * transaction as the status change it describes, so the topic holds each exactly once, in the order they happened.
 *
 * @param kind what happened: one of {@link #KINDS} ({@value #STARTED}, {@value #PAUSED}, ...); readers must accept
 *     kinds they do not know (a plain string, new values may come)
 * @param migration the migration's name (the record's key)
 * @param runId the run it happened to, or null (a refused command of a migration that never ran)
 * @param at when the coordinator decided it, epoch millis
 * @param by who: the {@code requestedBy} of the command that caused it (null when the command did not say),
 *     {@value MigrationStatus#PAUSED_BY_HEALTH} for the health watch, or null for the run itself (a batch failed,
 *     the last batch done)
 * @param command the type of the command that caused it ({@code run}, {@code pause}, ...), or null when a batch
 *     outcome or the health watch did
 * @param detail free text for people: the health signal that paused a run, the reason a command was refused, the
 *     limits a {@code configure} set
 * @param parameters what the run runs with, on {@value #STARTED}, {@value #RETRIED}, {@value #DRY_RUN} and {@value #CONFIGURED}; else null
 * @param outcome rows, duration and error, on {@value #PAUSED}, {@value #CANCELED}, {@value #FAILED} and
 *     {@value #SUCCEEDED}; else null
 */
public record HistoryEntry(String kind, String migration, String runId, long at, String by, String command,
                           String detail, Parameters parameters, Outcome outcome) {

    public static final String STARTED = "started";
    /** A failed or canceled run going on from its cursor, in the same run ({@code run} without a cursor). */
    public static final String RETRIED = "retried";
    public static final String DRY_RUN = "dryRun";
    public static final String PAUSED = "paused";
    public static final String RESUMED = "resumed";
    public static final String CONFIGURED = "configured";
    public static final String CANCELED = "canceled";
    public static final String FAILED = "failed";
    public static final String SUCCEEDED = "succeeded";
    public static final String REJECTED = "rejected";
    /** A verify ended finding nothing to change. */
    public static final String VERIFIED = "verified";
    /** A verify ended finding rows to change, or could not finish (its error says which). */
    public static final String VERIFY_FAILED = "verifyFailed";
    /** Every kind this version writes. */
    public static final List<String> KINDS = List.of(STARTED, RETRIED, DRY_RUN, PAUSED, RESUMED, CONFIGURED, CANCELED, FAILED,
            VERIFIED, VERIFY_FAILED,
            SUCCEEDED, REJECTED);

    public HistoryEntry {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(migration, "migration must not be null");
    }

    /** Whether this entry ends its run: succeeded, failed or canceled. */
    public boolean ends() {
        return SUCCEEDED.equals(kind) || FAILED.equals(kind) || CANCELED.equals(kind);
    }

    /**
     * The entry's details in one line for people (the command line's table, a notification's text): its detail, its
     * parameters, rows, duration, error and document, those it has; empty when it has none.
     */
    public String details() {
        List<String> parts = new java.util.ArrayList<>();
        if (detail != null) {
            parts.add(detail);
        }
        if (parameters != null) {
            parts.add(BatchSizing.of(parameters.batchSize(), parameters.limits()).describe());
            Limits l = parameters.limits();
            if (l != null && l.maxRowsPerSecond() != null) {
                parts.add("at most " + l.maxRowsPerSecond() + " rows/s");
            }
            if (l != null && l.maxConcurrency() != null) {
                parts.add(l.maxConcurrency() + " segment(s) at once");
            }
            if (parameters.segments() > 0) {
                parts.add(parameters.segments() + " segment(s)");
            }
            parts.add(parameters.cursor() == null ? "from the start" : "from cursor " + parameters.cursor());
            if (!parameters.notifyTargets().isEmpty()) {
                parts.add("notifies " + String.join(", ", parameters.notifyTargets()));
            }
        }
        if (outcome != null) {
            parts.add(outcome.rows() + " rows");
            if (outcome.durationMillis() != null) {
                parts.add("in " + seconds(outcome.durationMillis()));
            }
            if (outcome.quarantined() > 0) {
                parts.add(outcome.quarantined() + " quarantined");
            }
            if (outcome.documentId() != null) {
                parts.add("document " + outcome.documentId());
            }
            if (outcome.error() != null) {
                parts.add("error: " + outcome.error());
            }
        }
        return String.join("; ", parts);
    }

    private static String seconds(long millis) {
        return millis < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0)
                : millis < 60_000 ? (millis / 1000) + " s"
                : millis < 3_600_000 ? (millis / 60_000) + " min " + (millis / 1000 % 60) + " s"
                : (millis / 3_600_000) + " h " + (millis / 60_000 % 60) + " min";
    }

    /**
     * What a run runs with.
     *
     * @param cursor where the run started or stands (its overall cursor; null: the beginning)
     * @param batchSize the most rows per batch
     * @param limits the limits in force, or null for none
     * @param segments how many segments the run has; 0 for a run started from the beginning, whose segments are planned
     *     after its start
     * @param next the migrations that run after it
     * @param notify the notification targets named by the run ({@code run --notify}), besides the default
     */
    public record Parameters(String cursor, int batchSize, Limits limits, int segments, List<String> next,
                             List<String> notifyTargets) {
        public Parameters {
            next = next == null ? List.of() : List.copyOf(next);
            notifyTargets = notifyTargets == null ? List.of() : List.copyOf(notifyTargets);
        }

        /** What a status says its run runs with. */
        public static Parameters of(MigrationStatus s) {
            return new Parameters(s.progress().cursor(), s.pace().batchSize(), s.pace().limits(),
                    s.progress().segments().size(), s.run().next(), s.run().notifyTargets());
        }
    }

    /**
     * Where a run stands when it stops.
     *
     * @param rows the rows the run processed
     * @param durationMillis from the run's start to this entry, pauses included; null when the start is unknown
     * @param error why it failed, or null
     * @param documentId the document whose {@code migrateOne} or write failed, when one did; else null
     * @param quarantined the documents the run set aside ({@code keyway_quarantine})
     */
    public record Outcome(long rows, Long durationMillis, String error, String documentId, long quarantined) {

        /** An outcome without quarantined documents. */
        public Outcome(long rows, Long durationMillis, String error, String documentId) {
            this(rows, durationMillis, error, documentId, 0);
        }
    }
}
