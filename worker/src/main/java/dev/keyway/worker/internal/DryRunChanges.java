package dev.keyway.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The before/after of the documents a dry run changed, bounded: the report travels in one Kafka record
 * and in the status. A value longer than {@value #MAX_VALUE_CHARS} characters is cut and marked
 * {@code …[truncated, N chars]}; at most {@value #MAX_CHANGES} documents and about
 * {@value #MAX_REPORT_CHARS} characters in all are reported.
 */
final class DryRunChanges {

    static final int MAX_CHANGES = 50;
    static final int MAX_VALUE_CHARS = 1_000;
    static final int MAX_REPORT_CHARS = 64_000;

    private DryRunChanges() {
    }

    /** The changed documents of {@code page}, with {@code after} their state after the batch (by id text). */
    static List<Event.DocumentChange> of(List<ObjectNode> page, Map<String, ObjectNode> after, String primaryKey) {
        List<Event.DocumentChange> out = new ArrayList<>();
        int chars = 0;
        for (ObjectNode before : page) {
            String id = before.get(primaryKey).asText();
            ObjectNode now = after.get(id);
            if (before.equals(now)) {
                continue;
            }
            Event.DocumentChange change = new Event.DocumentChange(id, bounded(before), now == null ? null : bounded(now));
            chars += change.toString().length();
            if (out.size() == MAX_CHANGES || chars > MAX_REPORT_CHARS) {
                break;
            }
            out.add(change);
        }
        return out;
    }

    /** The document with every value over {@value #MAX_VALUE_CHARS} characters cut and marked. */
    static ObjectNode bounded(ObjectNode doc) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        doc.fields().forEachRemaining(f -> out.set(f.getKey(), bounded(f.getValue())));
        return out;
    }

    private static JsonNode bounded(JsonNode v) {
        String text = v.isTextual() ? v.textValue() : v.isContainerNode() ? v.toString() : null;
        if (text == null || text.length() <= MAX_VALUE_CHARS) {
            return v;
        }
        return JsonNodeFactory.instance.textNode(text.substring(0, MAX_VALUE_CHARS) + "…[truncated, " + text.length()
                + " chars]");
    }
}
