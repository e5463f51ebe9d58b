package dev.keyway.migration;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CustomRangeTest {

    /** A number type of the user's own: bound as a long, 1/2 would become 0. */
    private static final class Half extends Number {
        @Override public int intValue() { return 0; }
        @Override public long longValue() { return 0; }
        @Override public float floatValue() { return 0.5f; }
        @Override public double doubleValue() { return 0.5; }
    }

    @Test
    void acceptsTheTypesItCanBindExactly() {
        for (Object bound : List.of("b", true, 1, 2L, (short) 3, (byte) 4, 1.5, 2.5f, new BigDecimal("1.0000000000000000001"),
                BigInteger.TEN.pow(30), UUID.randomUUID(), LocalDate.now(), LocalDateTime.now(), OffsetDateTime.now(),
                Instant.now())) {
            assertDoesNotThrow(() -> CustomRange.between("c", bound, null), bound.getClass().getName());
        }
    }

    @Test
    void refusesAnyOtherTypeNamingTheColumnTheTypeAndWhatItTakes() {
        for (Object bound : List.of(new Object(), new java.util.Date(), new Half(), new AtomicLong(5), 'x')) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CustomRange.between("amount", null, bound), bound.getClass().getName());
            assertTrue(e.getMessage().contains("customRange on amount") && e.getMessage().contains(bound.getClass().getName())
                    && e.getMessage().contains("BigDecimal") && e.getMessage().contains("LocalDate"), e.getMessage());
        }
    }
}
