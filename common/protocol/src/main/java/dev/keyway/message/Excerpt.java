package dev.keyway.message;

import java.nio.charset.StandardCharsets;

/**
 * A bounded, printable excerpt of text that came from outside (a command, a record, an exception), for
 * answers, errors and logs: control and non-printable characters are escaped ({@code \u0007}), and
 * text over the limit is cut and marked with its full size, so an answer never grows with its input.
 */
public final class Excerpt {

    private Excerpt() {
    }

    /** At most {@code max} characters of {@code text} (escapes count), then "…[N chars]" when cut. */
    public static String of(String text, int max) {
        return text == null ? "null" : cut(text, max, text.length() + " chars");
    }

    /** The same for raw bytes read as UTF-8, marked "…[N bytes]" when cut; decodes no more than it shows. */
    public static String of(byte[] bytes, int max) {
        if (bytes == null) {
            return "null";
        }
        int take = Math.min(bytes.length, 4 * max);
        String head = new String(bytes, 0, take, StandardCharsets.UTF_8);
        return take < bytes.length ? cut(head, Math.min(max, head.length() - 1), bytes.length + " bytes")
                : cut(head, max, bytes.length + " bytes");
    }

    private static String cut(String text, int max, String size) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 24);
        int i = 0;
        for (; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.UNASSIGNED
                    || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return i < text.length() ? out.append("…[").append(size).append(']').toString() : out.toString();
    }
}
