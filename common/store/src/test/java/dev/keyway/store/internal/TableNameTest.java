package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableNameTest {

    @Test
    void aBareNameHasNoSchemaAndKeepsItsCase() {
        TableName n = TableName.parse("film_Actor");
        assertNull(n.schema());
        assertEquals("film_Actor", n.table());
        assertEquals("\"film_Actor\"", n.describe());
    }

    @Test
    void aDotSeparatesSchemaAndTable() {
        TableName n = TableName.parse("pagila.payment");
        assertEquals("pagila", n.schema());
        assertEquals("payment", n.table());
    }

    @Test
    void quotedPartsMayHoldDotsAndDoubledQuotes() {
        TableName n = TableName.parse("\"Sales\".\"Order.Items \"\"v2\"\"\"");
        assertEquals("Sales", n.schema());
        assertEquals("Order.Items \"v2\"", n.table());
        assertEquals("\"Sales\".\"Order.Items \"\"v2\"\"\"", n.describe(), "named as written");
    }

    @Test
    void quotedAndUnquotedPartsMix() {
        TableName n = TableName.parse("sales.\"OrderItems\"");
        assertEquals("sales", n.schema());
        assertEquals("OrderItems", n.table());
        TableName alone = TableName.parse("\"a.b\"");
        assertNull(alone.schema());
        assertEquals("a.b", alone.table());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a.", ".a", "a..b", "a.b.c", "\"open", "\"a\"b", "a\"b", "\"\"", "a.\"\""})
    void refusesMalformedNamesSayingHowToWriteThem(String written) {
        StoreException e = assertThrows(StoreException.class, () -> TableName.parse(written));
        assertTrue(e.getMessage().startsWith("table name " + written + " is not valid: "), e.getMessage());
        assertTrue(e.getMessage().contains("schema.table"), e.getMessage());
    }
}
