package dev.keyway.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * Messages on the {@code events} topic: batch outcomes from workers and the coordinator's answers
 * to commands. Key: the migration name ({@code "*"} for answers to {@code cancelAll}).
 */
public sealed interface Event
        permits Event.Outcome, Event.RunPlanned, Event.HealthChanged, Event.CommandAccepted, Event.CommandRejected,
        Event.MigrationsListed {

    /**
     * The largest event record read, in bytes; a larger one is dropped unread. A worker's largest, a dry run's
     * report, is about 64,000 characters (at most ~200 KB of UTF-8); an event's text goes into a status, which
     * must stay well under Kafka's 1 MB record limit.
     */
    int MAX_BYTES = 262_144;

    String migration();

    /**
     * An outcome of one batch task: {@link #key()} names the batch the task started at (its migration, run, segment
     * and cursor, as in the task). On the wire the key's fields are the outcome's own ({@code "migration"},
     * {@code "runId"}, {@code "segment"}, {@code "cursor"}): the codec flattens it.
     */
    sealed interface Outcome extends Event permits BatchCompleted, BatchFailed, BatchSkipped, BatchDelayed {
        BatchKey key();

        @Override
        default String migration() {
            return key().migration();
        }
    }

    /**
     * A batch committed (or, for a dry run, was rolled back).
     *
     * @param key the batch the task started at (its cursor as in the task)
     * @param nextCursor the cursor of the batch's last document; the next batch starts after it
     * @param processed documents the batch handled
     * @param done true when the segment has no documents after {@code nextCursor}
     * @param replayed true when the ledger showed the batch already applied (a redelivered task)
     * @param changes for a dry run: before/after of the documents the batch changed, bounded; for a verify: some of the
     *     documents it found with their would-be change; else empty
     * @param omitted for a dry run: how many more changed documents the bounded report leaves out
     * @param quarantined documents the slice set aside (in {@code keyway_quarantine}; for a verify, the documents it
     *     found that {@code migrateOne} would still change, in {@code keyway_verify}); the coordinator counts them as
     *     the ledger recorded them, like {@code processed}
     * @param quarantinedIds the ids of some of them (at most {@value #MAX_QUARANTINED_IDS}), to name in an error
     */
    record BatchCompleted(BatchKey key, String nextCursor, int processed, boolean done, boolean replayed,
                          boolean dryRun, List<DocumentChange> changes, int omitted, long millis, String worker,
                          int quarantined, List<String> quarantinedIds)
            implements Outcome {
        /** The most quarantined ids an outcome names. */
        public static final int MAX_QUARANTINED_IDS = 20;

        public BatchCompleted {
            Objects.requireNonNull(key, "key");
            changes = changes == null ? List.of() : List.copyOf(changes);
            quarantinedIds = quarantinedIds == null ? List.of()
                    : List.copyOf(quarantinedIds.subList(0, Math.min(quarantinedIds.size(), MAX_QUARANTINED_IDS)));
        }

        /** An outcome that quarantined nothing. */
        public BatchCompleted(BatchKey key, String nextCursor, int processed, boolean done, boolean replayed,
                              boolean dryRun, List<DocumentChange> changes, int omitted, long millis, String worker) {
            this(key, nextCursor, processed, done, replayed, dryRun, changes, omitted, millis, worker, 0, List.of());
        }

        /** An outcome that leaves no changed document out of its report. */
        public BatchCompleted(BatchKey key, String nextCursor, int processed, boolean done, boolean replayed,
                              boolean dryRun, List<DocumentChange> changes, long millis, String worker) {
            this(key, nextCursor, processed, done, replayed, dryRun, changes, 0, millis, worker);
        }
    }

    /**
     * A batch was rolled back because of an error.
     *
     * @param documentId the id of the document whose {@code migrateOne} threw, or null
     * @param task where the failed task is on the tasks topic (for a replay by offset reset)
     */
    record BatchFailed(BatchKey key, String error, String documentId, TaskLocation task, String worker)
            implements Outcome {
        public BatchFailed {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * A worker refused a task because the fence in the database does not allow it: its run is no longer
     * the migration's current one, the run is canceled, or the task's cursor, end or batch size is not
     * what the run's segment is at (a stale, replayed or forged task). Nothing was applied; the
     * coordinator only logs it.
     */
    record BatchSkipped(BatchKey key, String reason, String worker) implements Outcome {
        public BatchSkipped {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * A batch rolled back because a row or table it needs stayed locked by another transaction (the
     * application's) past the lock timeout. Nothing was applied; the coordinator records the reason in
     * the segment's status and publishes the same batch again after a backoff.
     */
    record BatchDelayed(BatchKey key, String reason, String worker) implements Outcome {
        public BatchDelayed {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * The coordinator planned a run's segments, away from its Kafka transaction (counting and sampling a
     * large or locked table takes time): {@code splitPoints} cut the range into {@code splitPoints.size() + 1}
     * segments. {@code error} is set instead when the table cannot be walked (missing, no primary key).
     * Only the coordinator writes it, to itself: it takes a plan only with the {@code planId} it asked for
     * (kept in its memory, never published), and only for a run still being planned.
     */
    record RunPlanned(String migration, String runId, String planId, List<String> splitPoints, long rows,
                      String error) implements Event {
        public RunPlanned {
            splitPoints = splitPoints == null ? List.of() : List.copyOf(splitPoints);
        }
    }

    /**
     * The coordinator's health watch read the database: past a signal's hard limit ({@code healthy} false, every
     * period while it stays there) running migrations pause themselves with {@code reason} in the status; past
     * its limit they slow down to {@code dutyPercent} of the time (halved each period while over it, raised step
     * by step once back under it); healthy at 100 % they go at full speed. Only the coordinator writes it, to
     * itself; it takes only its own watch's ({@code watchId}, never published elsewhere). {@code migration} is
     * {@code *}.
     *
     * @param dutyPercent the share of time migrations may work, 1 to 100; absent = 100
     * @param unknown the signals that could not be read at this reading, each as "name unknown: why" (bounded),
     *     which {@code reason} names too; empty when every signal was read
     */
    record HealthChanged(String migration, String watchId, boolean healthy, String reason, Integer dutyPercent,
                         List<String> unknown) implements Event {
        public HealthChanged {
            dutyPercent = dutyPercent == null ? 100 : Math.max(1, Math.min(100, dutyPercent));
            unknown = unknown == null ? List.of() : List.copyOf(unknown);
        }

        /** Every signal read, at this share of time. */
        public HealthChanged(String migration, String watchId, boolean healthy, String reason, Integer dutyPercent) {
            this(migration, watchId, healthy, reason, dutyPercent, List.of());
        }

        /** Every signal read: paused ({@code healthy} false) or back at full speed. */
        public HealthChanged(String migration, String watchId, boolean healthy, String reason) {
            this(migration, watchId, healthy, reason, 100);
        }
    }

    /** The coordinator did what a command asked; {@code action} says what (started, resumed, skipped, canceled). */
    record CommandAccepted(String migration, String command, String action, String detail) implements Event {
    }

    /** The coordinator refused a command; {@code reason} says why and how to fix it. */
    record CommandRejected(String migration, String command, String reason) implements Event {
    }

    /**
     * The coordinator's answer to {@link Command.ListMigrations}: the migrations it defines, by name, as a run that
     * gives no options of its own walks and sizes them. {@code migration} is {@code *}. Bounded: at most
     * {@link #MAX_LISTED} definitions, each text cut short; {@code omitted} counts the ones left out.
     *
     * @param requestId the command's, so that its client takes this answer and no other's
     */
    record MigrationsListed(String migration, String requestId, List<Definition> migrations, int omitted)
            implements Event {
        /** The most definitions one answer lists: it stays well under {@link Event#MAX_BYTES}. */
        public static final int MAX_LISTED = 150;

        public MigrationsListed {
            migrations = migrations == null ? List.of()
                    : migrations.stream().filter(Objects::nonNull).toList();
        }
    }

    /**
     * A migration as the coordinator defines it.
     *
     * @param table the table it walks, as the definition names it
     * @param keyColumns the columns the walk is ordered by (the primary key's, or the range's column first), as the
     *     database gave them; null when the database could not be asked
     * @param sizing how a run that gives no batch size or target sizes its batches
     * @param range the part of the table walked ({@code status = 'open'}, {@code id from 1 to 500}); null = all of it
     * @param parallelize whether {@code migrateOne} runs concurrently within a batch
     * @param segments the segments the definition asks for; 0 = as many as the table's size calls for
     */
    record Definition(String name, String table, List<String> keyColumns, BatchSizing sizing, String range,
                      boolean parallelize, int segments) {
        public Definition {
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(table, "table must not be null");
            Objects.requireNonNull(sizing, "sizing must not be null");
            keyColumns = keyColumns == null ? null : keyColumns.stream().filter(Objects::nonNull).toList();
        }
    }

    /** One changed document of a dry run; {@code after} is null when the batch deleted it. */
    record DocumentChange(String id, ObjectNode before, ObjectNode after) {
    }
}
