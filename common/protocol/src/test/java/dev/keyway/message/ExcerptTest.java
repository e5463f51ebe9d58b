package dev.keyway.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExcerptTest {

    @Test
    void keepsShortPrintableTextAsItIs() {
        assertEquals("setDefaultValue", Excerpt.of("setDefaultValue", 60));
        assertEquals("null", Excerpt.of((String) null, 60));
    }

    @Test
    void escapesControlCharactersAndCutsLongTextNamingItsSize() {
        assertEquals("a\\u0007b\\u000a", Excerpt.of("a\u0007b\n", 60));
        String cut = Excerpt.of("x".repeat(1_000_000), 20);
        assertEquals("x".repeat(20) + "…[1000000 chars]", cut);
    }

    @Test
    void readsNoMoreBytesThanItShows() {
        byte[] huge = new byte[5_000_000];
        java.util.Arrays.fill(huge, (byte) 1);
        String cut = Excerpt.of(huge, 10);
        assertTrue(cut.startsWith("\\u0001"), cut);
        assertTrue(cut.endsWith("…[5000000 bytes]"), cut);
        assertTrue(cut.length() < 40, cut);
        assertEquals("ok", Excerpt.of("ok".getBytes(StandardCharsets.UTF_8), 10));
    }
}
