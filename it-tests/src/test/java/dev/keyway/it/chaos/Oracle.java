package dev.keyway.it.chaos;

import dev.keyway.it.support.Sql;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.migration.Migration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What must hold after a chaos run, from the history of statuses and the tables alone. The operator model makes
 * it computable: a new run starts only after the previous one succeeded (the schedule's runs from the start are
 * sent as such only then), and a canceled or failed run is only ever resumed, in the same run. So every run that
 * was planned must succeed, count exactly the rows of its range, and each row's counter must equal the number of
 * runs that succeeded; rows out of the range keep their counter at 0.
 */
final class Oracle {

    private final Sql sql;
    private final StatusLog log;

    Oracle(Sql sql, StatusLog log) {
        this.sql = sql;
        this.log = log;
    }

    /** What went wrong for {@code migration}; empty when everything holds. */
    List<String> check(Migration migration) throws SQLException {
        List<String> problems = new ArrayList<>();
        String name = migration.name();
        Map<String, MigrationStatus> succeeded = new LinkedHashMap<>();
        Set<String> planned = new LinkedHashSet<>();
        Map<String, MigrationState> last = new LinkedHashMap<>();
        Map<String, MigrationStatus> verifies = new LinkedHashMap<>();
        for (MigrationStatus s : log.history(name)) {
            if (s.run().runId() == null) {
                continue;
            }
            if (s.run().kind() == RunKind.VERIFY) {
                verifies.put(s.run().runId(), s); // its latest status
                continue;
            }
            if (succeeded.containsKey(s.run().runId()) && s.state() != MigrationState.SUCCESS) {
                problems.add(name + ": run " + s.run().runId() + " went from success back to " + s.state().json());
            }
            if (!s.progress().segments().isEmpty()) {
                planned.add(s.run().runId());
            }
            if (s.state() == MigrationState.SUCCESS) {
                succeeded.putIfAbsent(s.run().runId(), s);
            }
            last.put(s.run().runId(), s.state());
        }
        long rows = ChaosMigrations.rowsOf(migration);
        verifies.forEach((run, s) -> problems.addAll(verified(name, run, s, rows)));
        for (String run : planned) {
            MigrationStatus done = succeeded.get(run);
            if (done == null) {
                problems.add(name + ": run " + run + " was planned but never succeeded (last " + last.get(run).json()
                        + "); its rows were covered an unknown number of times");
            } else if (done.progress().processed() != rows) {
                problems.add(name + ": run " + run + " succeeded counting " + done.progress().processed() + " rows, its range has "
                        + rows);
            }
        }
        problems.addAll(counters(migration, succeeded.values()));
        if (migration == ChaosMigrations.ITEMS) {
            long outside = sql.count("SELECT COUNT(*) FROM chaos_items WHERE id > " + ChaosMigrations.ITEM_ROWS
                    + " AND counter <> 0");
            if (outside != 0) {
                problems.add(name + ": " + outside + " rows beyond its range were migrated");
            }
        }
        return problems;
    }

    /**
     * What is wrong with a verify's latest status: one that walked every segment must have walked each row once and
     * found each (the chaos migrations add 1, so every row would change again); that it wrote nothing, the counters
     * show. A verify that did not finish (canceled, replaced) is not checked.
     */
    private static List<String> verified(String name, String run, MigrationStatus s, long rows) {
        boolean finished = !s.progress().segments().isEmpty()
                && s.progress().segments().stream().allMatch(x -> x.done());
        if (!finished || s.state().running() || s.state() == MigrationState.PAUSED) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        if (s.state() != MigrationState.VERIFY_FAILED) {
            problems.add(name + ": verify " + run + " walked every segment and ended " + s.state().json()
                    + ", but every row would change again");
        }
        if (s.progress().processed() != rows || s.verification().mismatched() != rows) {
            problems.add(name + ": verify " + run + " walked " + s.progress().processed() + " rows and found "
                    + s.verification().mismatched() + ", but its range has " + rows + " rows and each would change");
        }
        return problems;
    }

    /**
     * What is wrong with the rows' counters, given the runs that succeeded, in the order they did: each run adds 1 to
     * every row; an undo of run R sets every row back to what it was before R, but a row it records as a conflict (the
     * application changed it since R: its note), which keeps its counter. Without an undo, every row has the number of
     * runs that succeeded.
     */
    private List<String> counters(Migration migration, Collection<MigrationStatus> succeeded) throws SQLException {
        String name = migration.name();
        Map<String, Integer> actual = rowCounters(migration);
        Map<String, Integer> expected = new HashMap<>();
        actual.keySet().forEach(k -> expected.put(k, 0));
        Map<String, Map<String, Integer>> before = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int undos = 0;
        for (MigrationStatus s : succeeded) {
            if (s.run().kind() != RunKind.UNDO) {
                before.put(s.run().runId(), new HashMap<>(expected));
                expected.replaceAll((k, v) -> v + 1);
                continue;
            }
            undos++;
            Map<String, Integer> was = before.get(s.run().undoOf().runId());
            Set<String> conflicts = undoConflicts(name, s.run().runId());
            if (was == null) {
                problems.add(name + ": undo " + s.run().runId() + " took back run " + s.run().undoOf().runId()
                        + ", which never succeeded");
                continue;
            }
            if (conflicts.size() != s.progress().conflicts()) {
                problems.add(name + ": undo " + s.run().runId() + " counted " + s.progress().conflicts()
                        + " conflicts, keyway_undo_conflicts holds " + conflicts.size());
            }
            was.forEach((k, v) -> {
                if (!conflicts.contains(k)) {
                    expected.put(k, v);
                }
            });
        }
        List<String> wrong = actual.keySet().stream().filter(k -> !actual.get(k).equals(expected.get(k))).sorted()
                .toList();
        if (!wrong.isEmpty()) {
            problems.add(name + ": " + wrong.size() + " of " + actual.size() + " rows have a counter other than the "
                    + succeeded.size() + " runs that succeeded (" + undos + " of them undos) give it; e.g. "
                    + wrong.stream().limit(10).map(k -> k + " at " + actual.get(k) + ", not " + expected.get(k)).toList()
                    + "; counter -> rows: " + counters("SELECT counter, COUNT(*) FROM "
                    + ChaosMigrations.tableAndRange(migration) + " GROUP BY counter"));
        }
        return problems;
    }

    /** Each row's counter in the migration's range, by its key's text as an image names it ({@code 42}, {@code [3,17]}). */
    private Map<String, Integer> rowCounters(Migration migration) throws SQLException {
        boolean items = migration == ChaosMigrations.ITEMS;
        String query = items ? "SELECT id, counter FROM " + ChaosMigrations.tableAndRange(migration)
                : "SELECT region, seq, counter FROM chaos_pairs";
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = sql.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.put(items ? String.valueOf(rs.getLong(1)) : "[" + rs.getInt(1) + "," + rs.getInt(2) + "]",
                        rs.getInt(items ? 2 : 3));
            }
        }
        return out;
    }

    /** The keys of the rows an undo left as they were ({@code keyway_undo_conflicts}: the table, a space, the key). */
    private Set<String> undoConflicts(String migration, String undoRun) throws SQLException {
        Set<String> keys = new java.util.HashSet<>();
        try (Connection c = sql.connect(); var ps = c.prepareStatement("SELECT doc_key FROM keyway_undo_conflicts"
                + " WHERE migration = ? AND run_id = ?")) {
            ps.setString(1, migration);
            ps.setString(2, undoRun);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    keys.add(key.substring(key.lastIndexOf(' ') + 1));
                }
            }
        }
        return keys;
    }

    /** How many runs of {@code migration} succeeded (for the report). */
    long succeededRuns(Migration migration) {
        return succeededRunIds(migration).size();
    }

    /** The runs of {@code migration} that succeeded, in order. */
    List<String> succeededRunIds(Migration migration) {
        return log.history(migration.name()).stream().filter(s -> s.state() == MigrationState.SUCCESS)
                .map(s -> s.run().runId()).distinct().toList();
    }

    /**
     * For a failure's report: the fence rows of the chaos migrations, and per run and segment how many batches and
     * rows the ledger recorded and where its chain ends.
     */
    String bookkeeping() throws SQLException {
        StringBuilder out = new StringBuilder("fence (migration, segment, run, position, end, batch size, state):\n");
        rows("SELECT migration, segment, run_id, position, end_cursor, batch_size, state FROM keyway_fence"
                + " WHERE migration LIKE 'chaos%' ORDER BY migration, segment", out);
        out.append("ledger (migration, run, segment, batches, rows, last next_cursor, done 1/0):\n");
        rows("SELECT migration, run_id, segment, COUNT(*), SUM(processed), MAX(next_cursor),"
                + " MAX(CASE WHEN done THEN 1 ELSE 0 END)"
                + " FROM keyway_ledger WHERE migration LIKE 'chaos%' GROUP BY migration, run_id, segment"
                + " ORDER BY migration, run_id, segment", out);
        return out.toString();
    }

    private void rows(String query, StringBuilder out) throws SQLException {
        try (Connection c = sql.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(String.valueOf(rs.getObject(i)));
                }
                out.append("  ").append(String.join(" | ", row)).append('\n');
            }
        }
    }

    private Map<Integer, Long> counters(String query) throws SQLException {
        Map<Integer, Long> out = new TreeMap<>();
        try (Connection c = sql.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return out;
    }
}
