package dev.keyway.cli;

import static dev.keyway.cli.Statuses.NOW;
import static dev.keyway.cli.Statuses.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.LineDisciplineTerminal;
import org.jline.utils.ScreenTerminal;
import org.junit.jupiter.api.Test;

/** The terminal view on a terminal of streams, its output played on JLine's screen emulator. */
class TerminalProgressTest {

    @Test
    void redrawsTheLinesInPlaceAndLeavesTheLastFrameAndTheCursorBelowIt() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Terminal terminal = xterm(bytes);
        List<String> names = List.of("a", "b");
        try (TerminalProgress view = TerminalProgress.on(terminal)) {
            view.show(names, Map.of("a", running("a", 100, 1_000, 1, 0)), NOW);
            view.show(names, Map.of("a", running("a", 500, 1_000, 1, 0)), NOW + TerminalProgress.MIN_REDRAW_MILLIS);
            MigrationStatus done = Statuses.in(running("a", 1_000, 1_000, 1, 1), MigrationState.SUCCESS, NOW);
            view.show(names, Map.of("a", done, "b", running("b", 10, 1_000, 2, 0)), NOW + 150);
        }
        ScreenTerminal screen = new ScreenTerminal(100, 10);
        screen.write(bytes.toString(StandardCharsets.UTF_8));
        List<String> lines = screen.toString().lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).toList();
        assertEquals(2, lines.size(), "one line per migration, the earlier frames overwritten: " + lines);
        assertTrue(lines.get(0).startsWith("a [") && lines.get(0).endsWith("1/1 seg  success"), lines.get(0));
        assertTrue(lines.get(1).startsWith("b [") && lines.get(1).contains("  1% "), lines.get(1));
    }

    @Test
    void whatComesAfterTheLastFrameStartsRightBelowItEvenWhenTheFrameGotShorter() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Terminal terminal = xterm(bytes);
        MigrationStatus throttled = running("a", 100, 1_000, 1, 0).change()
                .throttledBy("throttled to 25%: a reason long enough to need a line of its own below the bar").build();
        try (TerminalProgress view = TerminalProgress.on(terminal)) {
            view.show(List.of("a"), Map.of("a", throttled), NOW);
            view.show(List.of("a"), Map.of("a", running("a", 500, 1_000, 1, 0)), NOW + 10);
        }
        bytes.write("END".getBytes(StandardCharsets.UTF_8));
        ScreenTerminal screen = new ScreenTerminal(100, 10);
        screen.write(bytes.toString(StandardCharsets.UTF_8));
        List<String> lines = screen.toString().lines().map(String::stripTrailing).toList();
        assertTrue(lines.get(0).startsWith("a ["), lines.toString());
        assertEquals("END", lines.get(1), lines.toString());
    }

    /**
     * An xterm of 100 x 10 writing to {@code bytes} as it is written to (a terminal on streams from
     * {@code TerminalBuilder} is a pseudo-terminal whose output a thread pumps: its bytes would come late).
     */
    private static Terminal xterm(ByteArrayOutputStream bytes) throws java.io.IOException {
        Terminal t = new LineDisciplineTerminal("test", "xterm", bytes, StandardCharsets.UTF_8);
        t.setSize(new Size(100, 10));
        return t;
    }
}
