package dev.keyway.it.chaos;

import dev.keyway.it.support.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The application that keeps writing to the migrated tables during a chaos run, about 50 writes a second: it
 * sets the {@code note} of existing rows (a column the migrations never touch) and inserts rows of
 * {@code chaos_items} beyond the migration's range, remembering the last note it wrote to each row. Afterwards
 * {@link #lostWrites} finds every row where that note is not the one in the table.
 */
final class ApplicationWrites implements AutoCloseable {

    private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Sql sql;
    private final Random random;
    private final Map<String, String> notes = new ConcurrentHashMap<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final Thread thread;
    private volatile Exception failure;
    private volatile long slowestMillis;
    private long nextId = ChaosMigrations.ITEM_ROWS + 1;
    private long written;

    private ApplicationWrites(Sql sql, long seed) {
        this.sql = sql;
        this.random = new Random(seed);
        this.thread = new Thread(this::write, "chaos-application");
    }

    static ApplicationWrites start(Sql sql, long seed) {
        ApplicationWrites app = new ApplicationWrites(sql, seed);
        app.thread.start();
        return app;
    }

    private void write() {
        try (Connection c = sql.connect();
             PreparedStatement item = c.prepareStatement("UPDATE chaos_items SET note = ? WHERE id = ?");
             PreparedStatement pair = c.prepareStatement("UPDATE chaos_pairs SET note = ? WHERE region = ? AND seq = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO chaos_items (id, note) VALUES (?, ?)")) {
            while (writing.get()) {
                long started = System.nanoTime();
                writeOne(item, pair, insert, "app-" + (++written));
                long took = System.nanoTime() - started;
                slowestMillis = Math.max(slowestMillis, TimeUnit.NANOSECONDS.toMillis(took));
                LockSupport.parkNanos(Math.max(0, PACE_NANOS - took)); // the application's pace, not a wait
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }

    private void writeOne(PreparedStatement item, PreparedStatement pair, PreparedStatement insert, String note)
            throws SQLException {
        int roll = random.nextInt(10);
        if (roll < 6) {
            long id = 1 + random.nextInt(ChaosMigrations.ITEM_ROWS);
            item.setString(1, note);
            item.setLong(2, id);
            item.executeUpdate();
            notes.put("chaos_items " + id, note);
        } else if (roll < 9) {
            int region = 1 + random.nextInt(ChaosMigrations.REGIONS);
            int seq = 1 + random.nextInt(ChaosMigrations.PER_REGION);
            pair.setString(1, note);
            pair.setInt(2, region);
            pair.setInt(3, seq);
            pair.executeUpdate();
            notes.put("chaos_pairs " + region + "," + seq, note);
        } else {
            long id = nextId++;
            insert.setLong(1, id);
            insert.setString(2, note);
            insert.executeUpdate();
            notes.put("chaos_items " + id, note);
        }
    }

    /** Stops writing and waits for the last write to finish. */
    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        thread.join(TimeUnit.MINUTES.toMillis(2));
    }

    /** The writes the application made, and its slowest one. */
    String summary() {
        return notes.size() + " rows written by the application (" + (nextId - ChaosMigrations.ITEM_ROWS - 1)
                + " inserted beyond the range), slowest write " + slowestMillis + " ms"
                + (failure == null ? "" : ", stopped by " + failure);
    }

    /** Every way the application's writes went wrong: its own failure, rows whose note is not its last one. */
    List<String> lostWrites() throws SQLException {
        List<String> problems = new ArrayList<>();
        if (failure != null) {
            problems.add("the application's writes failed: " + failure);
        }
        Map<String, String> inTable = new ConcurrentHashMap<>();
        try (Connection c = sql.connect(); var st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, note FROM chaos_items WHERE note <> 'seed'")) {
                while (rs.next()) {
                    inTable.put("chaos_items " + rs.getLong(1), rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT region, seq, note FROM chaos_pairs WHERE note <> 'seed'")) {
                while (rs.next()) {
                    inTable.put("chaos_pairs " + rs.getInt(1) + "," + rs.getInt(2), rs.getString(3));
                }
            }
        }
        List<String> lost = notes.entrySet().stream().filter(e -> !e.getValue().equals(inTable.get(e.getKey())))
                .map(e -> e.getKey() + " has note " + inTable.get(e.getKey()) + ", the application wrote " + e.getValue())
                .sorted().toList();
        if (!lost.isEmpty()) {
            problems.add(lost.size() + " application writes lost, e.g. " + lost.subList(0, Math.min(5, lost.size())));
        }
        if (inTable.size() != notes.size()) {
            problems.add(inTable.size() + " rows carry a note of the application, which wrote " + notes.size());
        }
        return problems;
    }
}
