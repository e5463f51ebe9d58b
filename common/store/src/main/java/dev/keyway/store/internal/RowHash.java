package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash of a row that a run's image keeps ({@code keyway_images.after_hash}) and that an undo compares with the row
 * as it is then: the SHA-256 of the row's canonical JSON, as hex. The row is read by the store's row reader
 * ({@link Sql.RowReader}), which gives each column one JSON form (a timestamp with time zone in UTC, bytes as hex, a
 * column holding SQL NULL left out), so the same stored row reads the same in any session. Canonical on top of that:
 * the fields of every object (the row's columns, and objects inside json columns) in the order of their names, and
 * every number by its value ({@code 4.90}, {@code 4.9} and {@code 4.900} are {@code 4.9}; {@code 5.0} is {@code 5}), so
 * that neither the order of the columns nor a json column's key order or a number's scale changes it.
 */
final class RowHash {

    private static final HexFormat HEX = HexFormat.of();

    private RowHash() {
    }

    /** The hex SHA-256 of the row's canonical JSON (see the class comment). */
    static String of(ObjectNode row) {
        return hex(Sql.jsonText(canonical(row)));
    }

    /** The hex SHA-256 of a text's UTF-8 bytes. */
    static String hex(String text) {
        return HEX.formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The id of a row's image: the hash of its table and its key, which no table name or key can confuse. */
    static String imageId(String table, String key) {
        return hex(table + '\u0000' + key);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The value with every object's fields sorted by name and every number by its value, recursively. */
    static JsonNode canonical(JsonNode v) {
        if (v.isObject()) {
            List<String> names = new ArrayList<>();
            v.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                out.set(name, canonical(v.get(name)));
            }
            return out;
        }
        if (v.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(v.size());
            v.forEach(e -> out.add(canonical(e)));
            return out;
        }
        if (v.isNumber()) {
            if ((v.isDouble() || v.isFloat()) && !Double.isFinite(v.doubleValue())) {
                return TextNode.valueOf(v.asText());
            }
            return DecimalNode.valueOf(v.decimalValue().stripTrailingZeros());
        }
        return v;
    }
}
