package dev.keyway.message;

import java.util.Objects;

/**
 * What an undo run takes back ({@link RunKind#UNDO}): the run whose before-images it restores, and whether it
 * overwrites a row the application changed since that run (a conflict, otherwise listed and left as it is).
 * JSON: {@code {"runId": "…", "force": false}}.
 */
public record UndoOf(String runId, boolean force) {
    public UndoOf {
        Objects.requireNonNull(runId, "runId");
        if (runId.isBlank() || runId.length() > Task.ProcessBatch.MAX_RUN_ID) {
            throw new IllegalArgumentException("the run to undo must be a run id of 1 to " + Task.ProcessBatch.MAX_RUN_ID
                    + " characters, but was '" + Excerpt.of(runId, 80) + "'");
        }
    }
}
