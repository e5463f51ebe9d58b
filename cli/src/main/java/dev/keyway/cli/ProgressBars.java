package dev.keyway.cli;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a live view shows of migrations: one progress line each (percent, rows/s, ETA, segments done, state, and why
 * it is held back). A pure function of the statuses, the time and the width: no terminal, no clock, so the terminal
 * and the plain-lines views ({@link LiveProgress}) print the same words.
 */
final class ProgressBars {

    /** A line and how it should look: the terminal colours it, plain lines ignore it. */
    record Row(String name, String text, Tone tone) {
    }

    /** How a line looks on a terminal. */
    enum Tone {
        RUNNING, HELD, SUCCEEDED, FAILED, WAITING
    }

    static final int MAX_NAME = 28;
    static final int MIN_BAR = 10;
    static final int MAX_BAR = 30;
    /** Room kept for the state after the bar: {@code inProgress}. */
    static final int STATE_COLUMN = 10;
    /** Percent, rows/s, ETA and segments, in columns of fixed width: {@code " 52%     1,234 rows/s  ETA 1m20s     3/8 seg  "}. */
    static final String FIGURES = "%4s %9s rows/s  ETA %-7s %5s seg  ";
    static final int FIGURES_WIDTH = String.format(FIGURES, "", "", "", "").length();
    /** What a name of the series that has not started yet shows in place of a state. */
    static final String WAITING = "waiting";

    private ProgressBars() {
    }

    /**
     * One row per name, in that order, each at most {@code width} characters: a name without a status in
     * {@code latest} is a migration of the series still waiting for its turn. Why a run is held back or stopped
     * (health's throttle, the error) follows its state on the same line when it fits, else on a line of its own below,
     * under the bar.
     */
    static List<Row> rows(List<String> names, Map<String, MigrationStatus> latest, long now, int width) {
        int nameWidth = Math.min(MAX_NAME, names.stream().mapToInt(String::length).max().orElse(0));
        int longestState = names.stream().map(latest::get).filter(java.util.Objects::nonNull)
                .mapToInt(s -> stateWord(s).length()).max().orElse(0);
        int barWidth = barWidth(width, nameWidth, longestState);
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            MigrationStatus s = latest.get(name);
            if (s == null) {
                rows.add(new Row(name, fit(pad(name, nameWidth) + " " + WAITING, width), Tone.WAITING));
                continue;
            }
            String line = barLine(s, now, nameWidth, barWidth, Integer.MAX_VALUE);
            String why = why(s);
            if (why.isEmpty() || line.length() + why.length() <= width) {
                rows.add(new Row(name, fit(line + why, width), tone(s)));
            } else {
                rows.add(new Row(name, fit(line, width), tone(s)));
                rows.add(new Row(name, fit(" ".repeat(nameWidth + 1) + why.substring(2), width), tone(s)));
            }
        }
        return rows;
    }

    /**
     * The same for every row, so the bars line up: up to {@value #MAX_BAR}, less to leave room for the longest state
     * (who paused a run, why health throttles it), down to {@value #MIN_BAR}; 0 (no bar) when even
     * {@value #STATE_COLUMN} characters of state would not fit beside the shortest bar.
     */
    static int barWidth(int width, int nameWidth, int longestState) {
        int besides = width - nameWidth - FIGURES_WIDTH - 2;
        if (besides - STATE_COLUMN < MIN_BAR) {
            return 0;
        }
        return Math.max(MIN_BAR, Math.min(MAX_BAR, besides - Math.max(STATE_COLUMN, longestState)));
    }

    /** A line without a bar and without padding, for logs: one per change (the plain-lines view). */
    static String plainLine(MigrationStatus s, long now) {
        return s.name() + "  " + StatusTable.percent(s) + "  " + rate(s, now) + " rows/s  ETA "
                + StatusTable.eta(s, now) + "  " + segments(s) + " seg  " + state(s);
    }

    /**
     * {@code name [#####.....]  52%    1,234 rows/s  ETA 1m20s   3/8 seg  inProgress, throttled ...}: fixed columns,
     * a bar of {@code barWidth} (none when 0), then the state and who paused it; what does not fit the width is cut.
     */
    static String barLine(MigrationStatus s, long now, int nameWidth, int barWidth, int width) {
        String head = pad(s.name(), nameWidth);
        String figures = String.format(FIGURES, StatusTable.percent(s),
                rate(s, now), StatusTable.eta(s, now), segments(s));
        String bar = barWidth == 0 ? " " : " " + bar(fraction(s), barWidth) + " ";
        return fit(head + bar + figures + stateWord(s), width);
    }

    /** The state, and who or what holds the run back: a pause (by an operator or health), health's throttle. */
    static String state(MigrationStatus s) {
        return stateWord(s) + why(s);
    }

    /** The state, and who paused the run. */
    static String stateWord(MigrationStatus s) {
        if (s.state() == MigrationState.PAUSED) {
            String by = s.run().pausedBy();
            return s.state().json() + " by " + (by == null ? MigrationStatus.PAUSED_BY_OPERATOR : by);
        }
        return s.state().json();
    }

    /**
     * What follows the state: why health holds the run back ({@code ", throttled to 25%: ..."}); else the first line of
     * the error that stopped it ({@code ": ..."}); else, while it runs, what it is limited by, the headline of
     * {@code limitedBy} ({@code ", limited by rate"}: rate, concurrency, slow start, lock waits, workers and database;
     * the status table has the rest); empty when none.
     */
    static String why(MigrationStatus s) {
        if (s.pace().throttledBy() != null) {
            return ", " + s.pace().throttledBy();
        }
        if (s.failure().error() != null && (s.state() == MigrationState.FAILED || s.state() == MigrationState.CANCELED)) {
            return ": " + s.failure().error().lines().findFirst().orElse("");
        }
        if (s.state() == MigrationState.IN_PROGRESS && s.pace().limitedBy() != null) {
            int colon = s.pace().limitedBy().indexOf(':');
            return ", limited by " + (colon < 0 ? s.pace().limitedBy() : s.pace().limitedBy().substring(0, colon));
        }
        return "";
    }

    /**
     * Rows per second over the run's running time (from {@code latestStart}, to {@code latestEnd} once it ended, as
     * {@link StatusTable#rate}); none while paused, since no row moves.
     */
    static String rate(MigrationStatus s, long now) {
        return s.state() == MigrationState.PAUSED ? "-" : StatusTable.rate(s, now);
    }

    static String segments(MigrationStatus s) {
        if (s.progress().segments().isEmpty()) {
            return "-";
        }
        return s.progress().segments().stream().filter(SegmentStatus::done).count() + "/" + s.progress().segments().size();
    }

    /** How much of the bar is full: processed of the total, all of it once done, none when the total is unknown. */
    static double fraction(MigrationStatus s) {
        if (s.state() == MigrationState.SUCCESS || s.state() == MigrationState.VERIFIED) {
            return 1;
        }
        if (s.progress().total() == null || s.progress().total() <= 0) {
            return 0;
        }
        return Math.min(0.99, s.progress().processed() / (double) s.progress().total());
    }

    static String bar(double fraction, int width) {
        int inside = width - 2;
        int full = (int) Math.floor(fraction * inside);
        return "[" + "#".repeat(full) + ".".repeat(inside - full) + "]";
    }

    static Tone tone(MigrationStatus s) {
        return switch (s.state()) {
            case SUCCESS, VERIFIED -> Tone.SUCCEEDED;
            case FAILED, CANCELED, VERIFY_FAILED -> Tone.FAILED;
            case PAUSED -> Tone.HELD;
            case IN_PROGRESS, VERIFYING -> s.pace().throttledBy() != null ? Tone.HELD : Tone.RUNNING;
            case UNKNOWN -> Tone.WAITING;
        };
    }

    /** The text cut to the width, ending in {@code ...} when cut. */
    static String fit(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        return width <= 3 ? text.substring(0, Math.max(0, width)) : text.substring(0, width - 3) + "...";
    }

    private static String pad(String name, int width) {
        return name.length() > width ? fit(name, width) : name + " ".repeat(width - name.length());
    }
}
