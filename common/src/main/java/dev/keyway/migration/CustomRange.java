package dev.keyway.migration;

import java.util.Objects;

/**
 * The subset of a table a migration walks: the rows whose {@code column} lies in a range.
 * The column is the primary key or an indexed column; rows are visited in order of
 * ({@code column}, primary key), so the walk is a keyset scan over that index.
 *
 * @param column the indexed column the range is over
 * @param from lowest value, inclusive; {@code null} for unbounded
 * @param to highest value, inclusive; {@code null} for unbounded
 */
public record CustomRange(String column, Object from, Object to) {

    public CustomRange {
        Objects.requireNonNull(column, "customRange column must not be null");
        if (column.isBlank()) {
            throw new IllegalArgumentException("customRange column must not be blank");
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
