package dev.keyway.console;

import com.sun.net.httpserver.HttpExchange;
import dev.keyway.message.HistoryEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * One page's stream of server-sent events ({@code text/event-stream}): every migration once, then each migration
 * whose status changed, as {@code event: migration} with the page's JSON ({@link ConsoleJson#migration}); the history
 * entries kept, then each new one, as {@code event: history} ({@link ConsoleJson#history}); a comment
 * line every {@value #KEEPALIVE_MILLIS} ms when nothing changed, so that a dead connection is noticed and its thread
 * freed. The browser's {@code EventSource} reconnects by itself after {@value #RETRY_MILLIS} ms.
 */
final class EventStream {

    static final long KEEPALIVE_MILLIS = 15_000;
    static final long RETRY_MILLIS = 2_000;

    private final StatusBoard board;
    private final ConsoleJson json;

    EventStream(StatusBoard board, ConsoleJson json) {
        this.board = board;
        this.json = json;
    }

    /** Streams until the client goes away or {@code stopped} says so; holds the calling thread meanwhile. */
    void serve(HttpExchange x, BooleanSupplier stopped) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(200, 0);
        try (OutputStream out = x.getResponseBody()) {
            write(out, "retry: " + RETRY_MILLIS + "\n\n");
            long seen = 0;
            while (!stopped.getAsBoolean()) {
                StatusBoard.Changes changes = board.changedSince(seen);
                for (StatusBoard.Entry e : changes.entries()) {
                    write(out, frame("migration", e.version(), json.migration(e)));
                }
                for (HistoryEntry h : changes.history()) {
                    write(out, frame("history", changes.version(), json.history(h)));
                }
                seen = changes.version();
                if (board.awaitChange(seen, KEEPALIVE_MILLIS) == seen) {
                    write(out, ": keepalive\n\n");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One event: its name, id and data, a {@code data:} line per line of the data, ended by a blank line. */
    static String frame(String event, long id, String data) {
        StringBuilder b = new StringBuilder("event: ").append(event).append('\n').append("id: ").append(id).append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        return b.append('\n').toString();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
