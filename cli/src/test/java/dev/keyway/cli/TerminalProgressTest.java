package dev.keyway.cli;

import static dev.keyway.cli.Statuses.NOW;
import static dev.keyway.cli.Statuses.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.ScreenTerminal;
import org.junit.jupiter.api.Test;

/** The terminal view on a terminal of streams, its output played on JLine's screen emulator. */
class TerminalProgressTest {

    @Test
    void redrawsTheLinesInPlaceAndLeavesTheLastFrameAndTheCursorBelowIt() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Terminal terminal = TerminalBuilder.builder().system(false).type("xterm").size(new Size(100, 10))
                .streams(new ByteArrayInputStream(new byte[0]), bytes).encoding(StandardCharsets.UTF_8).build();
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
}
