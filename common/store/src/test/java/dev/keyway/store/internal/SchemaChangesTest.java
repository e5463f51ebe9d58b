package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A schema changed while the services run (the usual order: add the column, then backfill it): the store reads a
 * table's metadata again once it is {@link MetadataCache#FRESH_FOR} old, so a long-running worker writes a new
 * column with its type and refuses a new generated column by name. H2 in memory, with the store's clock in hand.
 */
class SchemaChangesTest {

    private final H2Memory h2 = new H2Memory("schema");
    private final AtomicLong nanos = new AtomicLong();
    private JdbcStore store;

    @BeforeEach
    void createTable() throws Exception {
        h2.exec("CREATE TABLE \"t\" (\"id\" BIGINT PRIMARY KEY, \"n\" INT NOT NULL, \"counter\" INT NOT NULL)",
                "INSERT INTO \"t\" VALUES (1, 21, 0)");
        store = JdbcStore.open(h2.options(), nanos::get);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        h2.drop();
    }

    @Test
    void columnsAddedWhileTheStoreRunsAreSeenOnceWhatItReadIsNoLongerFresh() throws Exception {
        patch(JsonNodeFactory.instance.objectNode().put("counter", 1)); // reads and keeps the table's metadata
        h2.exec("ALTER TABLE \"t\" ADD COLUMN \"doubled\" INT GENERATED ALWAYS AS (\"n\" * 2)",
                "ALTER TABLE \"t\" ADD COLUMN \"rate\" NUMERIC(6,2)");
        ObjectNode setsGenerated = JsonNodeFactory.instance.objectNode().put("doubled", 5);

        StoreException stale = assertThrows(StoreException.class, () -> patch(setsGenerated));
        assertFalse(stale.getMessage().contains("which the database generates"),
                "within FRESH_FOR the store answers from what it read: the database refuses the write itself");

        nanos.addAndGet(MetadataCache.FRESH_FOR.toNanos() + 1);
        StoreException named = assertThrows(StoreException.class, () -> patch(setsGenerated));
        assertTrue(named.getMessage().contains("sets column doubled, which the database generates"), named.getMessage());

        patch(JsonNodeFactory.instance.objectNode().put("rate", new java.math.BigDecimal("4.90")).put("counter", 2));
        assertEquals("4.90 2 42", row());
    }

    @Test
    void checkingAWalkReadsTheTableAfreshEvenWhileWhatWasReadIsFresh() throws Exception {
        patch(JsonNodeFactory.instance.objectNode().put("counter", 1)); // reads and keeps the table's metadata
        store.checkWalk(new TableWalk("t", null), List.of());
        h2.exec("ALTER TABLE \"t\" DROP PRIMARY KEY");

        StoreException refused = assertThrows(StoreException.class, () -> store.checkWalk(new TableWalk("t", null), List.of()));
        assertTrue(refused.getMessage().contains("has no primary key"), refused.getMessage());
        assertFalse(StoreException.isRetriable(refused), "a table to fix, not a database to wait for");
    }

    private void patch(ObjectNode fields) {
        try (BatchTransaction tx = store.begin(new TableWalk("t", null))) {
            tx.readPage(null, null, 10);
            tx.patchAll(Map.of(LongNode.valueOf(1), fields));
            tx.commit();
        }
    }

    private String row() throws Exception {
        try (Connection c = DriverManager.getConnection(h2.url(), "sa", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"rate\", \"counter\", \"doubled\" FROM \"t\"")) {
            rs.next();
            return rs.getBigDecimal(1) + " " + rs.getInt(2) + " " + rs.getInt(3);
        }
    }
}
