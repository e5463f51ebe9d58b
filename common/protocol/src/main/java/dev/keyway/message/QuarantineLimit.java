package dev.keyway.message;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * How many documents a run may set aside before it fails ({@code run --max-quarantined}): a count ({@code 10}), or a
 * percentage of the rows the run walks ({@code 0.1%}), which becomes a count once the run is planned and its rows
 * counted. Exactly one of the two is set.
 *
 * @param count documents, 0 or more (0 turns quarantine off); null for a percentage
 * @param percent of the run's total rows, more than 0 and at most 100; null for a count
 */
public record QuarantineLimit(Long count, Double percent) {

    public QuarantineLimit {
        if ((count == null) == (percent == null)) {
            throw new IllegalArgumentException("a quarantine limit is a count or a percentage, exactly one of them");
        }
        if (count != null && count < 0) {
            throw new IllegalArgumentException("maxQuarantined must be at least 0 (0 turns quarantine off), but was "
                    + count);
        }
        if (percent != null && !(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("a maxQuarantined percentage must be more than 0% and at most 100%, but was "
                    + percent + "%");
        }
    }

    public static QuarantineLimit count(long count) {
        return new QuarantineLimit(count, null);
    }

    public static QuarantineLimit percent(double percent) {
        return new QuarantineLimit(null, percent);
    }

    /** {@code "10"} or {@code "0.1%"}; throws {@link IllegalArgumentException} saying what it takes. */
    public static QuarantineLimit parse(String text) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.endsWith("%")) {
                return percent(new BigDecimal(t.substring(0, t.length() - 1).trim()).doubleValue());
            }
            return count(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("maxQuarantined must be a count (10) or a percentage of the run's rows"
                    + " (0.1%), but was '" + Excerpt.of(t, 40) + "'");
        }
    }

    /**
     * The count for a run of {@code total} rows: the count itself, or the percentage of {@code total} rounded up (at
     * least 1); null when a percentage meets an unknown total.
     */
    public Long countOf(Long total) {
        if (count != null) {
            return count;
        }
        return total == null ? null : Math.max(1, (long) Math.ceil(total * percent / 100));
    }

    @Override
    public String toString() {
        return count != null ? String.valueOf(count)
                : BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString().toLowerCase(Locale.ROOT) + "%";
    }
}
