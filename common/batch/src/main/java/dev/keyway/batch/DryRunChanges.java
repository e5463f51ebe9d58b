package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The before/after of the documents a dry run changed, bounded: the report travels in one Kafka record
 * and in the status. A value longer than {@value #MAX_VALUE_CHARS} characters is cut and marked
 * {@code …[truncated, N chars]}; at most {@value #MAX_CHANGES} documents and {@value #MAX_REPORT_CHARS}
 * characters of JSON in all are shown, and the changed documents left out are counted.
 */
final class DryRunChanges {

    static final int MAX_CHANGES = 50;
    static final int MAX_VALUE_CHARS = 1_000;
    static final int MAX_REPORT_CHARS = 64_000;

    /** The changes shown, and how many more changed documents the report leaves out. */
    record Bounded(List<Event.DocumentChange> shown, int omitted) {
    }

    private DryRunChanges() {
    }

    /**
     * The changed documents of {@code page}, with {@code after} their state after the batch, by the id's text that
     * {@code idText} gives a document.
     */
    static Bounded of(List<ObjectNode> page, Map<String, ObjectNode> after, Function<ObjectNode, String> idText) {
        List<Event.DocumentChange> out = new ArrayList<>();
        int chars = 0;
        int omitted = 0;
        for (ObjectNode before : page) {
            String id = idText.apply(before);
            ObjectNode now = after.get(id);
            if (before.equals(now)) {
                continue;
            }
            if (omitted > 0 || out.size() == MAX_CHANGES) {
                omitted++;
                continue;
            }
            Event.DocumentChange change = new Event.DocumentChange(id, bounded(before), now == null ? null : bounded(now));
            chars += change.toString().length();
            if (chars > MAX_REPORT_CHARS) {
                omitted++;
            } else {
                out.add(change);
            }
        }
        return new Bounded(out, omitted);
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
