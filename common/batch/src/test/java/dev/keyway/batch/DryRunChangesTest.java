package dev.keyway.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.codec.JsonCodec;
import dev.keyway.message.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DryRunChangesTest {

    private static ObjectNode doc(int id, String note) {
        return JsonNodeFactory.instance.objectNode().put("id", id).put("note", note);
    }

    @Test
    void cutsLongValuesCapsTheReportAndCountsWhatItLeavesOut() {
        List<ObjectNode> page = new ArrayList<>();
        Map<String, ObjectNode> after = new HashMap<>();
        for (int i = 1; i <= 300; i++) {
            page.add(doc(i, "n".repeat(51_200)));
            after.put(String.valueOf(i), doc(i, i % 3 == 0 ? "n".repeat(51_200) : "stamped"));
        }
        DryRunChanges.Bounded report = DryRunChanges.of(page, after, d -> d.get("id").asText());

        assertEquals(200, report.shown().size() + report.omitted(), "every changed document is shown or counted");
        assertTrue(report.shown().size() <= DryRunChanges.MAX_CHANGES && report.omitted() > 0);
        assertTrue(report.shown().toString().length() <= DryRunChanges.MAX_REPORT_CHARS,
                report.shown().toString().length() + " chars");
        Event.DocumentChange first = report.shown().get(0);
        String before = first.before().get("note").asText();
        assertTrue(before.endsWith("…[truncated, 51200 chars]"), before.substring(before.length() - 40));
        assertEquals(DryRunChanges.MAX_VALUE_CHARS + "…[truncated, 51200 chars]".length(), before.length());
        assertEquals("stamped", first.after().get("note").asText(), "a short value is kept whole");
    }

    @Test
    void aDeletedDocumentHasNoAfterAndASmallBatchLeavesNothingOut() {
        DryRunChanges.Bounded report = DryRunChanges.of(List.of(doc(1, "a"), doc(2, "b")), Map.of("2", doc(2, "c")), d -> d.get("id").asText());
        assertEquals(2, report.shown().size());
        assertNull(report.shown().get(0).after());
        assertEquals(0, report.omitted());
    }

    @Test
    void theLargestReportOfThreeByteCharactersFitsInAnEventTheCoordinatorReads() {
        List<ObjectNode> page = new ArrayList<>();
        Map<String, ObjectNode> after = new HashMap<>();
        for (int i = 1; i <= 200; i++) {
            ObjectNode before = doc(i, "€".repeat(2_000));
            for (int c = 0; c < 6; c++) {
                before.put("column_with_a_long_name_" + c, "€".repeat(2_000));
            }
            page.add(before);
            after.put(String.valueOf(i), before.deepCopy().put("note", "changed"));
        }
        DryRunChanges.Bounded report = DryRunChanges.of(page, after, d -> d.get("id").asText());
        String cursor = "[\"" + "€".repeat(3_990) + "\"]";
        byte[] json = new JsonCodec().encode(new Event.BatchCompleted(new BatchKey("m".repeat(200),
                "dry-" + "r".repeat(60), 0, cursor), cursor, 200, false, false, true, report.shown(), report.omitted(), 1,
                "worker-1"));
        assertTrue(json.length < Event.MAX_BYTES, json.length + " bytes");
        assertEquals(200, report.shown().size() + report.omitted());
    }
}
