package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch transaction's savepoint and {@code keyway_quarantine} on H2: a write the database refuses is undone back
 * to the savepoint and the transaction goes on; the quarantined documents and the ledger's count commit with the batch;
 * a ledger made before the column existed gets it at start-up.
 */
class QuarantineTableTest {

    private final H2Memory h2 = new H2Memory("quarantine");
    private JdbcStore store;

    @BeforeEach
    void createTables() throws Exception {
        h2.exec("CREATE TABLE \"t\" (\"id\" BIGINT PRIMARY KEY, \"counter\" INT NOT NULL CHECK (\"counter\" < 5))",
                "INSERT INTO \"t\" VALUES (1, 0), (2, 0)",
                // a ledger of 0.4, without the quarantined column
                "CREATE TABLE keyway_ledger (migration VARCHAR(200) NOT NULL, run_id VARCHAR(64) NOT NULL, segment INT"
                        + " NOT NULL, start_cursor VARCHAR(4000) NOT NULL, next_cursor VARCHAR(4000), processed INT NOT"
                        + " NULL, done BOOLEAN NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,"
                        + " PRIMARY KEY (migration, run_id, segment, start_cursor))");
        store = JdbcStore.open(h2.options());
        store.ensureBookkeeping();
        store.ensureBookkeeping(); // twice: the column is there already
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        h2.drop();
    }

    @Test
    void aRefusedWriteIsUndoneToTheSavepointAndTheSetAsideDocumentCommitsWithTheLedgerRow() throws Exception {
        BatchKey key = new BatchKey("m", "r1", 0, null);
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            tx.savepoint();
            tx.patchAll(Map.of(LongNode.valueOf(1), JsonNodeFactory.instance.objectNode().put("counter", 1)));
            assertThrows(StoreException.class, () -> tx.patchAll(Map.of(LongNode.valueOf(2),
                    JsonNodeFactory.instance.objectNode().put("counter", 9))));
            tx.rollbackToSavepoint();
            tx.patchAll(Map.of(LongNode.valueOf(1), JsonNodeFactory.instance.objectNode().put("counter", 1)));
            tx.quarantine(List.of(new QuarantinedDocument("m", "r1", 0, "2", "refused", "{\"id\":2,\"counter\":0}", 0)));
            assertTrue(tx.recordLedger(new LedgerEntry(key, "[2]", 2, true, 1)));
            tx.commit();
        }
        assertEquals(1, h2.count("SELECT \"counter\" FROM \"t\" WHERE \"id\" = 1"));
        assertEquals(0, h2.count("SELECT \"counter\" FROM \"t\" WHERE \"id\" = 2"));
        assertEquals(1, store.followLedger(key, "[2]", 10).get(0).quarantined());
        List<QuarantinedDocument> listed = store.quarantined("m", 10);
        assertEquals(1, listed.size());
        assertEquals("2", listed.get(0).key());
        assertEquals("{\"id\":2,\"counter\":0}", listed.get(0).document());
        assertTrue(listed.get(0).at() > 0);
    }

    @Test
    void aDocumentTooLongToKeepIsKeptAsAJsonStringOfItsBeginning() {
        String big = "{\"text\":\"" + "x".repeat(QuarantinedDocument.MAX_DOCUMENT) + "\"}";
        String kept = DocumentList.bounded(big);
        assertTrue(kept.startsWith("\"{\\\"text\\\":\\\"xxx") && kept.endsWith("\"") && kept.length() < big.length(),
                kept.substring(0, 40));
    }
}
