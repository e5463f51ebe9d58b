package dev.keyway.console;

import dev.keyway.codec.JsonCodec;
import dev.keyway.message.Event;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.MigrationStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The JSON the console writes: a status as it is on the wire ({@link JsonCodec}) with what the console adds (rate
 * over the last minute, samples, replay commands), the coordinator's answers and errors. Written here by hand: it is
 * numbers and quoted strings around the codec's own output.
 */
final class ConsoleJson {

    private final JsonCodec codec;
    private final ReplayCommands.Target replay;

    ConsoleJson(JsonCodec codec, ReplayCommands.Target replay) {
        this.codec = codec;
        this.replay = replay;
    }

    /** One migration for the page: {@code {"status":{..},"rowsPerSecond":..,"samples":[[t,rows],..],"replay":[..]}}. */
    String migration(StatusBoard.Entry e) {
        StringBuilder b = new StringBuilder("{\"status\":").append(status(e.status()))
                .append(",\"rowsPerSecond\":").append(String.format(Locale.ROOT, "%.1f", e.rowsPerSecond()))
                .append(",\"samples\":[");
        List<long[]> samples = e.samples();
        for (int i = 0; i < samples.size(); i++) {
            b.append(i == 0 ? "[" : ",[").append(samples.get(i)[0]).append(',').append(samples.get(i)[1]).append(']');
        }
        b.append("],\"replay\":[");
        List<String> commands = ReplayCommands.of(e.status(), replay);
        for (int i = 0; i < commands.size(); i++) {
            b.append(i == 0 ? "" : ",").append(quote(commands.get(i)));
        }
        return b.append("]}").toString();
    }

    String status(MigrationStatus s) {
        return new String(codec.encode(s), StandardCharsets.UTF_8);
    }

    /** One history entry for the page: {@code {"entry":{..as on the topic..},"details":".."}}. */
    String history(HistoryEntry h) {
        return "{\"entry\":" + new String(codec.encode(h), StandardCharsets.UTF_8) + ",\"details\":"
                + quote(h.details()) + "}";
    }

    /** History entries, as {@code history.json} serves them: each as on the topic. */
    String historyEntries(List<HistoryEntry> all) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < all.size(); i++) {
            b.append(i == 0 ? "" : ",").append(new String(codec.encode(all.get(i)), StandardCharsets.UTF_8));
        }
        return b.append(']').toString();
    }

    /** Every status, as {@code status.json} serves them. */
    String statuses(List<MigrationStatus> all) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < all.size(); i++) {
            b.append(i == 0 ? "" : ",").append(status(all.get(i)));
        }
        return b.append(']').toString();
    }

    /** The coordinator's answer: {@code {"answer":"accepted","action":..,"detail":..}} or {@code "rejected"} and a reason. */
    static String answer(Event e) {
        if (e instanceof Event.CommandAccepted a) {
            return "{\"answer\":\"accepted\",\"migration\":" + quote(a.migration()) + ",\"command\":" + quote(a.command())
                    + ",\"action\":" + quote(a.action()) + ",\"detail\":" + quote(a.detail()) + "}";
        }
        if (e instanceof Event.CommandRejected r) {
            return "{\"answer\":\"rejected\",\"migration\":" + quote(r.migration()) + ",\"command\":"
                    + quote(r.command()) + ",\"reason\":" + quote(r.reason()) + "}";
        }
        return "{\"answer\":\"unexpected\",\"event\":" + quote(String.valueOf(e)) + "}";
    }

    static String error(String message) {
        return "{\"error\":" + quote(message) + "}";
    }

    /** A JSON string (or null): quotes, backslashes and control characters escaped, and {@code <} so it is safe in HTML. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
