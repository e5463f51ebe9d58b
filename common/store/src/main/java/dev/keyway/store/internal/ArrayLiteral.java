package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.message.Excerpt;
import dev.keyway.store.StoreException;
import java.util.function.Function;

/**
 * PostgreSQL's text form of an array, {@code {a,"b c",NULL}} ({@code {{1,2},{3,4}}} for two dimensions), read
 * into a JSON array and written from one. Reading it as text (not through {@code java.sql.Array}) lets each element
 * go through the same mapping as a column of the element's type, and writing it as text lets PostgreSQL parse the
 * elements with the column's own element type (enums, domains, uuid, ... included), so no element type needs to be
 * named in SQL.
 */
final class ArrayLiteral {

    private final String text;
    private final char delimiter;
    private final Function<String, JsonNode> element;
    private int at;

    private ArrayLiteral(String text, char delimiter, Function<String, JsonNode> element) {
        this.text = text;
        this.delimiter = delimiter;
        this.element = element;
    }

    /**
     * Reads an array literal; each element that is not NULL goes through {@code element}.
     *
     * @throws StoreException for an array whose lower bound is not 1 ({@code [0:1]={1,2}}): as a JSON array it
     *                        could not be written back the same
     */
    static ArrayNode parse(String text, char delimiter, Function<String, JsonNode> element) {
        if (text.startsWith("[")) {
            throw new StoreException("an array with explicit bounds (" + Excerpt.of(text, 200) + ") cannot be read as a JSON"
                    + " array and written back unchanged: Keyway reads arrays whose subscripts start at 1", null);
        }
        ArrayLiteral p = new ArrayLiteral(text, delimiter, element);
        ArrayNode out = p.array();
        p.skipSpace();
        if (p.at != text.length()) {
            throw p.malformed();
        }
        return out;
    }

    /**
     * Writes a JSON array as an array literal: elements quoted (so the element type parses them), JSON null as
     * NULL, a nested JSON array as a further dimension, except that every element of a {@code json}/{@code jsonb}
     * array is its JSON text.
     *
     * @throws IllegalArgumentException for an object element of an array that does not hold JSON
     */
    static String format(JsonNode array, char delimiter, boolean jsonElements) {
        StringBuilder out = new StringBuilder();
        write(out, array, delimiter, jsonElements);
        return out.toString();
    }

    private static void write(StringBuilder out, JsonNode array, char delimiter, boolean jsonElements) {
        out.append('{');
        boolean first = true;
        for (JsonNode e : array) {
            if (!first) {
                out.append(delimiter);
            }
            first = false;
            if (e.isNull()) {
                out.append("NULL");
            } else if (jsonElements) {
                quoted(out, e.toString());
            } else if (e.isArray()) {
                write(out, e, delimiter, false);
            } else if (e.isObject()) {
                throw new IllegalArgumentException("an array element is a JSON object, but the column's elements are"
                        + " not json: " + Excerpt.of(e.toString(), 200));
            } else {
                quoted(out, e.isNumber() ? e.decimalValue().toPlainString() : e.asText());
            }
        }
        out.append('}');
    }

    private static void quoted(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    private ArrayNode array() {
        skipSpace();
        expect('{');
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        skipSpace();
        if (peek() == '}') {
            at++;
            return out;
        }
        while (true) {
            skipSpace();
            char c = peek();
            if (c == '{') {
                out.add(array());
            } else if (c == '"') {
                out.add(element.apply(quotedElement()));
            } else {
                String raw = bareElement();
                out.add(raw.equalsIgnoreCase("NULL") ? JsonNodeFactory.instance.nullNode() : element.apply(raw));
            }
            skipSpace();
            char next = peek();
            at++;
            if (next == '}') {
                return out;
            }
            if (next != delimiter) {
                throw malformed();
            }
        }
    }

    private String quotedElement() {
        StringBuilder s = new StringBuilder();
        at++; // the opening quote
        while (true) {
            char c = peek();
            at++;
            if (c == '"') {
                return s.toString();
            }
            if (c == '\\') {
                c = peek();
                at++;
            }
            s.append(c);
        }
    }

    private String bareElement() {
        int from = at;
        while (at < text.length() && text.charAt(at) != delimiter && text.charAt(at) != '}') {
            at++;
        }
        return text.substring(from, at).strip();
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw malformed();
        }
        return text.charAt(at);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw malformed();
        }
        at++;
    }

    private StoreException malformed() {
        return new StoreException("cannot read the array " + Excerpt.of(text, 200) + " at character " + at, null);
    }
}
