package dev.keyway.cli;

import dev.keyway.message.MigrationStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;

/**
 * Progress bars redrawn in place on the terminal by JLine ({@link Display} rewrites only what changed), one line per
 * migration, coloured by state. Redraws at most every {@value #MIN_REDRAW_MILLIS} ms; {@link #close()} draws the
 * last frame, moves the cursor below it and gives the terminal back.
 */
final class TerminalProgress implements LiveProgress {

    static final long MIN_REDRAW_MILLIS = 100;

    private final Terminal terminal;
    private final Display display;
    private List<AttributedString> frame = List.of();
    private long drawnAt;

    private TerminalProgress(Terminal terminal) {
        this.terminal = terminal;
        this.display = new Display(terminal, false);
    }

    /** The standard output's terminal, or null when it is not one (a pipe, a file) or is a dumb one. */
    static TerminalProgress openIfInteractive() {
        try {
            Terminal t = TerminalBuilder.builder().system(true).dumb(true).build();
            if (t.getType() == null || t.getType().startsWith(Terminal.TYPE_DUMB) || t.getWidth() <= 0) {
                t.close();
                return null;
            }
            return on(t);
        } catch (IOException e) {
            return null;
        }
    }

    /** Progress on this terminal, which {@link #close()} closes. */
    static TerminalProgress on(Terminal terminal) {
        return new TerminalProgress(terminal);
    }

    @Override
    public void show(List<String> names, Map<String, MigrationStatus> latest, long now) {
        frame = frame(names, latest, now);
        if (now - drawnAt >= MIN_REDRAW_MILLIS) {
            draw();
            drawnAt = now;
        }
    }

    private List<AttributedString> frame(List<String> names, Map<String, MigrationStatus> latest, long now) {
        int width = Math.max(20, terminal.getWidth()) - 1;
        List<ProgressBars.Row> rows = ProgressBars.rows(names, latest, now, width);
        int room = Math.max(1, terminal.getHeight() - 1);
        List<AttributedString> lines = new ArrayList<>();
        for (ProgressBars.Row r : rows.subList(0, Math.min(rows.size(), room))) {
            lines.add(new AttributedString(r.text(), style(r.tone())));
        }
        if (rows.size() > room) {
            lines.set(room - 1, new AttributedString("... and " + (rows.size() - room + 1) + " more (a taller"
                    + " terminal shows them)"));
        }
        return lines;
    }

    /** Draws the frame, the cursor left at the end of its last line (after a shorter frame too, not below it). */
    private void draw() {
        Size size = terminal.getSize();
        display.resize(size.getRows(), size.getColumns());
        int last = Math.max(0, frame.size() - 1);
        display.update(frame, frame.isEmpty() ? 0 : size.cursorPos(last, frame.get(last).columnLength()));
        terminal.flush();
    }

    private static AttributedStyle style(ProgressBars.Tone tone) {
        return switch (tone) {
            case RUNNING -> AttributedStyle.DEFAULT;
            case HELD -> AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
            case SUCCEEDED -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
            case FAILED -> AttributedStyle.BOLD.foreground(AttributedStyle.RED);
            case WAITING -> AttributedStyle.DEFAULT.faint();
        };
    }

    @Override
    public void close() {
        try {
            draw();
            terminal.writer().println();
            terminal.flush();
            terminal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
