package dev.keyway.it.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.it.support.Sql;
import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.Page;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code bin/bench --images}: what before-images cost (issue 19). The store's batch path alone, on one thread, over the
 * {@code items} table ({@code --rows}, 100,000 by default) in batches of {@code --batch} rows (1,000): each batch reads
 * and locks its page, patches every row (counter + 1), records its ledger row and commits, as a worker's batch does but
 * for the fence's two small statements; with images it also keeps them ({@code keepImages}). Passes alternate, plain
 * then with images, {@code --repeats} times (3), each over the whole table, after a {@code VACUUM} on PostgreSQL,
 * after a warm-up of one pass each way; the images of a pass are measured (bytes per row of {@code keyway_images},
 * table and index: PostgreSQL's {@code pg_total_relation_size}, MariaDB's {@code data_length + index_length} after
 * {@code ANALYZE TABLE}), purged (timed), and their space given back ({@code VACUUM FULL}, {@code OPTIMIZE TABLE}) before
 * the next. Prints rows per second of each pass with the CPU the database and the benchmark's JVM spent per 1,000
 * rows ({@link CpuTime}), the medians and the ratio.
 */
public final class ImagesBenchmark {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** A migration's name of a usual length. */
    private static final String MIGRATION = "backfillCounters";

    private final BenchDatabase database;
    private final Sql sql;
    private final int rows;
    private final int batch;

    private ImagesBenchmark(BenchDatabase database, int rows, int batch) {
        this.database = database;
        this.sql = new Sql(database.options());
        this.rows = rows;
        this.batch = batch;
    }

    public static void main(String[] args) throws Exception {
        int rows = 100_000;
        int batch = 1_000;
        int repeats = 3;
        String kind = "postgres";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> kind = args[++i];
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--images" -> { } // bin/bench's switch that chose this benchmark
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bin/bench --images"
                        + " [--db postgres|mariadb] [--rows N] [--batch N] [--repeats N]");
            }
        }
        try (BenchDatabase database = BenchDatabase.open(kind)) {
            new ImagesBenchmark(database, rows, batch).run(repeats);
        }
        System.exit(0);
    }

    private void run(int repeats) throws Exception {
        System.out.printf(Locale.ROOT, "before-images benchmark: %,d rows in batches of %,d, %s, %d cores%n", rows, batch,
                database.description(), Runtime.getRuntime().availableProcessors());
        sql.itemsInOneStatement(rows);
        List<Double> plain = new ArrayList<>();
        List<Double> imaged = new ArrayList<>();
        try (Store store = Store.open(database.options())) {
            store.ensureBookkeeping();
            // the JIT and the table's pages, measured by nothing
            pass(store, "warm-up", false);
            pass(store, "warm-up-i", true);
            measureAndPurge(store, "warm-up-i");
            for (int r = 1; r <= repeats; r++) {
                plain.add(pass(store, "plain-" + r, false));
                imaged.add(pass(store, "images-" + r, true));
                measureAndPurge(store, "images-" + r);
            }
        }
        double p = median(plain);
        double i = median(imaged);
        System.out.printf(Locale.ROOT, "median of %d: plain %,.0f rows/s, with images %,.0f rows/s (%.0f%% of plain,"
                + " %.1f%% slower)%n", repeats, p, i, 100 * i / p, 100 * (p - i) / p);
    }

    /** A run's id as the coordinator makes them, a UUID (36 characters in every image row and index entry). */
    private static String runId(String pass) {
        return UUID.nameUUIDFromBytes(pass.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** One pass over the whole table; returns rows per second. */
    private double pass(Store store, String run, boolean images) throws SQLException {
        if (!sql.isMariaDb()) {
            sql.exec("VACUUM \"items\"");
        }
        Map<Long, Long> dbCpu = database.cpu();
        long clientCpu = CpuTime.ofProcess(ProcessHandle.current().pid());
        long start = System.nanoTime();
        long changed = 0;
        String cursor = null;
        for (boolean last = false; !last; ) {
            try (BatchTransaction tx = store.begin(new TableWalk("items", null))) {
                BatchKey key = new BatchKey(MIGRATION, runId(run), 0, cursor);
                tx.findLedger(key);
                if (images) {
                    tx.keepImages(key);
                }
                Page page = tx.readPage(cursor, null, batch);
                Map<JsonNode, ObjectNode> patches = new LinkedHashMap<>();
                page.documents().forEach(d -> patches.put(d.get("id"),
                        JSON.objectNode().put("counter", d.get("counter").asInt() + 1)));
                tx.patchAll(patches);
                tx.recordLedger(new LedgerEntry(key, page.nextCursor(), page.documents().size(), page.last()));
                tx.commit();
                changed += page.documents().size();
                cursor = page.nextCursor();
                last = page.last();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = changed / seconds;
        double db = CpuTime.between(dbCpu, database.cpu()) * 1000.0 / changed;
        double client = (CpuTime.ofProcess(ProcessHandle.current().pid()) - clientCpu) * 1000.0 / changed;
        System.out.printf(Locale.ROOT, "  %-10s %,9d rows in %6.2f s: %,8.0f rows/s; CPU ms per 1,000 rows: database %.1f,"
                + " client %.1f%n", run, changed, seconds, rate, db, client);
        return rate;
    }

    /** The size of {@code keyway_images} per row of the run, then the run's purge, timed. */
    private void measureAndPurge(Store store, String run) throws SQLException {
        ImagesOfRun images = store.imageRuns(MIGRATION).stream().filter(i -> i.runId().equals(runId(run))).findFirst()
                .orElseThrow(() -> new IllegalStateException("run " + run + " kept no images"));
        long table;
        long index;
        try (Connection c = sql.connect(); Statement st = c.createStatement()) {
            if (sql.isMariaDb()) {
                st.execute("ANALYZE TABLE keyway_images");
                String of = " FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = 'keyway_images'";
                table = single(st, "SELECT data_length" + of);
                index = single(st, "SELECT index_length" + of);
            } else {
                table = single(st, "SELECT pg_total_relation_size('keyway_images') - pg_indexes_size('keyway_images')");
                index = single(st, "SELECT pg_indexes_size('keyway_images')");
            }
        }
        long start = System.nanoTime();
        long purged = store.purgeImages(MIGRATION, runId(run));
        double seconds = (System.nanoTime() - start) / 1e9;
        // the next pass measures the table as a first run finds it, not with the space this one's rows left
        sql.exec(sql.isMariaDb() ? "OPTIMIZE TABLE keyway_images" : "VACUUM FULL keyway_images");
        System.out.printf(Locale.ROOT, "  %-10s %,d images, %,.0f bytes per row on disk (table %,.0f, index %,.0f),"
                        + " before-images %,.0f bytes of JSON per row; purged %,d in %.2f s%n", run, images.rows(),
                (double) (table + index) / images.rows(), (double) table / images.rows(), (double) index / images.rows(),
                (double) images.beforeBytes() / images.rows(), purged, seconds);
    }

    private static long single(Statement st, String query) throws SQLException {
        try (ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
