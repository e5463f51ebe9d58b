package dev.keyway.store;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run with before-images changed in one row ({@code keyway_images}, docs/CONTRACTS.md): the row as it was before
 * the run's first change to it, and the hash of the row as the run's last change to it left it. Undo makes the row
 * what {@link #before} says, when the row still hashes to {@link #afterHash} (else the application changed it since:
 * a conflict).
 *
 * @param id the image's id and the cursor of the walk over a run's images: the hex SHA-256 of the table and the key,
 *     64 characters. Images are walked in the order of their ids, which spreads them evenly over any split of the
 *     range ({@link #splitPoints})
 * @param table the table, qualified and quoted as the store resolved it ({@code "public"."items"})
 * @param key the row's id as {@code Db.idText} gives it: the key's value as text ({@code 42}, {@code a-7}), or a
 *     composite key's JSON array ({@code [3,17]})
 * @param op what the run did to the row, first state to last: {@link Op}
 * @param before the row before the run as JSON, as the store reads rows (columns holding SQL NULL left out); null when
 *     the run inserted it
 * @param afterHash the hex SHA-256 of the row's canonical JSON as the run left it; null when the run deleted it
 */
public record RowImage(String id, String table, String key, Op op, String before, String afterHash) {

    /** The length of an image id and of a hash, in hex digits. */
    public static final int HASH_HEX_DIGITS = 64;

    /** What a run did to a row, from the state before its first change to the state after its last. */
    public enum Op {
        /** The row was not there before the run ({@link #before} is null); the run inserted it, and may have deleted it again. */
        INSERT,
        /** The row was there before and after the run. */
        UPDATE,
        /** The row was there before the run and not after it ({@link #afterHash} is null). */
        DELETE;

        /** The name in {@code keyway_images.op}: {@code insert}, {@code update}, {@code delete}. */
        public String sqlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The op of a row that was there before the run ({@code existed}) and is there after it ({@code exists}). */
        public static Op of(boolean existed, boolean exists) {
            return !existed ? INSERT : exists ? UPDATE : DELETE;
        }

        /** The op named {@code sqlName}; an {@link IllegalArgumentException} names the three there are. */
        public static Op fromSql(String sqlName) {
            for (Op op : values()) {
                if (op.sqlName().equals(sqlName)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("op must be insert, update or delete, but was " + sqlName);
        }
    }

    public RowImage {
        if (id == null || id.length() != HASH_HEX_DIGITS) {
            throw new IllegalArgumentException("id must be " + HASH_HEX_DIGITS + " hex digits, but was " + id);
        }
        if (table == null || key == null || op == null) {
            throw new IllegalArgumentException("table, key and op are required, but were " + table + ", " + key + ", "
                    + op);
        }
    }

    /**
     * The cursors that split a run's images into {@code segments} ranges of about the same size (image ids are hashes,
     * evenly spread): segment {@code i} walks the images after cursor {@code i - 1} (none for the first) up to cursor
     * {@code i} included (none for the last). {@code segments - 1} cursors, in order.
     *
     * @throws IllegalArgumentException unless {@code segments} is between 1 and 256
     */
    public static List<String> splitPoints(int segments) {
        if (segments < 1 || segments > 256) {
            throw new IllegalArgumentException("segments must be between 1 and 256, but was " + segments);
        }
        List<String> points = new ArrayList<>();
        BigInteger space = BigInteger.ONE.shiftLeft(64);
        for (int i = 1; i < segments; i++) {
            BigInteger head = space.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(segments));
            points.add(String.format(Locale.ROOT, "%016x", head) + "0".repeat(HASH_HEX_DIGITS - 16));
        }
        return points;
    }
}
