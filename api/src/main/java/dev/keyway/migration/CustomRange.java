package dev.keyway.migration;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The subset of a table a migration walks: the rows whose {@code column} lies in a range.
 * The column is the primary key or an indexed column; rows are visited in order of
 * ({@code column}, primary key), so the walk is a keyset scan over that index.
 *
 * <p>A bound is one of {@link #BOUND_TYPES}: {@code String}, {@code Boolean}, the JDK's numbers
 * ({@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@code BigInteger}, {@code BigDecimal},
 * {@code Float}, {@code Double}), {@code UUID}, {@code LocalDate}, {@code LocalDateTime},
 * {@code OffsetDateTime} or {@code Instant}; it is compared with the column by the database, exactly (a
 * {@code BigDecimal} keeps all its digits). Any other type, a {@code Number} of another kind included
 * (it could only be bound through {@code longValue()} or {@code doubleValue()}, losing digits), is refused
 * here, when the migration is defined, so a service does not start with a range it would bind wrongly.
 *
 * @param column the indexed column the range is over
 * @param from lowest value, inclusive; {@code null} for unbounded
 * @param to highest value, inclusive; {@code null} for unbounded
 */
public record CustomRange(String column, Object from, Object to) {

    /** The types a bound may have. */
    public static final List<Class<?>> BOUND_TYPES = List.of(String.class, Boolean.class, Byte.class, Short.class,
            Integer.class, Long.class, BigInteger.class, BigDecimal.class, Float.class, Double.class, UUID.class,
            LocalDate.class, LocalDateTime.class, OffsetDateTime.class, Instant.class);

    public CustomRange {
        Objects.requireNonNull(column, "customRange column must not be null");
        if (column.isBlank()) {
            throw new IllegalArgumentException("customRange column must not be blank");
        }
        checkBound(column, "from", from);
        checkBound(column, "to", to);
    }

    private static void checkBound(String column, String which, Object bound) {
        if (bound != null && BOUND_TYPES.stream().noneMatch(t -> t.isInstance(bound))) {
            throw new IllegalArgumentException("customRange on " + column + ": '" + which + "' is a "
                    + bound.getClass().getName() + ", which cannot be compared with a column; use one of "
                    + BOUND_TYPES.stream().map(Class::getSimpleName).toList());
        }
    }

    /** Rows whose {@code column} equals {@code value} (Convex {@code q.eq(column, value)}). */
    public static CustomRange eq(String column, Object value) {
        return new CustomRange(column, Objects.requireNonNull(value, "value"), value);
    }

    /** Rows whose {@code column} is between {@code from} and {@code to}, both inclusive; either may be null. */
    public static CustomRange between(String column, Object from, Object to) {
        return new CustomRange(column, from, to);
    }

    /** True when every row of the range has the same value of {@link #column()}. */
    public boolean isEquality() {
        return from != null && from.equals(to);
    }
}
