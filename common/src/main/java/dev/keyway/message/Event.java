package dev.keyway.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Messages on the {@code events} topic: batch outcomes from workers and the coordinator's answers
 * to commands. Key: the migration name ({@code "*"} for answers to {@code cancelAll}).
 */
public sealed interface Event
        permits Event.BatchCompleted, Event.BatchFailed, Event.CommandAccepted, Event.CommandRejected {

    String migration();

    /**
     * A batch committed (or, for a dry run, was rolled back).
     *
     * @param cursor the cursor the batch started after (as in the task)
     * @param nextCursor the cursor of the batch's last document; the next batch starts after it
     * @param processed documents the batch handled
     * @param done true when the segment has no documents after {@code nextCursor}
     * @param replayed true when the ledger showed the batch already applied (a redelivered task)
     * @param changes for a dry run: before/after of the documents the batch changed; else empty
     */
    record BatchCompleted(String migration, String runId, int segment, String cursor, String nextCursor,
                          int processed, boolean done, boolean replayed, boolean dryRun,
                          List<DocumentChange> changes, long millis, String worker) implements Event {
        public BatchCompleted {
            changes = changes == null ? List.of() : List.copyOf(changes);
        }
    }

    /**
     * A batch was rolled back because of an error.
     *
     * @param documentId the id of the document whose {@code migrateOne} threw, or null
     * @param task where the failed task is on the tasks topic (for a replay by offset reset)
     */
    record BatchFailed(String migration, String runId, int segment, String cursor, String error,
                       String documentId, boolean retriable, TaskLocation task, String worker) implements Event {
    }

    /** The coordinator did what a command asked; {@code action} says what (started, resumed, skipped, canceled). */
    record CommandAccepted(String migration, String command, String action, String detail) implements Event {
    }

    /** The coordinator refused a command; {@code reason} says why and how to fix it. */
    record CommandRejected(String migration, String command, String reason) implements Event {
    }

    /** One changed document of a dry run; {@code after} is null when the batch deleted it. */
    record DocumentChange(String id, ObjectNode before, ObjectNode after) {
    }
}
