package dev.keyway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.QuarantinedDocument;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the command line shows of quarantine: the listing, the status's count and limit, the history's outcome. */
class QuarantineCommandTest {

    private static final List<QuarantinedDocument> DOCS = List.of(
            new QuarantinedDocument("flaky", "run-1", 2, "101", "migrateOne threw: bad\nline", "{\"id\":101}", 0),
            new QuarantinedDocument("flaky", "run-1", 3, "[3,17]", "refused", "{\"a\":3,\"b\":17}", 1_000));

    private static String printed(List<QuarantinedDocument> docs, boolean json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        QuarantineCommand.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "flaky", docs, json);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsEachDocumentOnALineOrAsAJsonArray() {
        String table = printed(DOCS, false);
        assertTrue(table.contains("101") && table.contains("migrateOne threw: bad line") && table.contains("[3,17]"),
                table);
        assertTrue(table.endsWith("2 document(s) of flaky quarantined; --json shows each as it was\n"), table);
        String json = printed(DOCS, true);
        assertTrue(json.contains("\"key\" : \"[3,17]\"") && json.contains("\"document\" : \"{\\\"id\\\":101}\"")
                && json.contains("\"at\" : \"1970-01-01T00:00:01Z\""), json);
        assertEquals("no document of flaky is quarantined\n", printed(List.of(), false));
    }

    @Test
    void theStatusAndTheHistoryShowHowManyWereQuarantined() {
        MigrationStatus st = MigrationStatus.unknown("flaky", 100).change().state(MigrationState.SUCCESS).cursor("[9]")
                .quarantined(7).maxQuarantined(10L).build();
        assertEquals("[9]; quarantined: 7 (at most 10)", StatusTable.detail(st));
        assertEquals("[9]", StatusTable.detail(st.change().quarantined(0).maxQuarantined(null).build()));
        assertEquals("[9]; quarantined: 7 (at most 20: 0.1%)",
                StatusTable.detail(st.change().maxQuarantined(20L).maxQuarantinedPercent(0.1).build()));
        HistoryEntry done = new HistoryEntry("succeeded", "flaky", "run-1", 0, null, null, null, null,
                new HistoryEntry.Outcome(20_000, 2_000L, null, null, 7));
        assertEquals("20000 rows; in 2.0 s; 7 quarantined", done.details());
    }
}
