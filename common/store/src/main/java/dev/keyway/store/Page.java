package dev.keyway.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One batch's rows, read and locked, and where the walk goes on.
 *
 * @param documents the rows as they are now (locked until the transaction ends), in key order
 * @param nextCursor the cursor of the last row <em>as the page was selected</em>, before any wait for a lock:
 *     where the next batch starts. Taken from the rows as they are now, a row the application moved while
 *     the batch waited for it would make the walk jump over the rows between
 * @param last fewer rows than asked for were selected: nothing of the walk is left after {@code nextCursor}
 */
public record Page(List<ObjectNode> documents, String nextCursor, boolean last) {
    public Page {
        documents = List.copyOf(documents);
    }
}
