package dev.keyway.it.bench;

import dev.keyway.store.StoreOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** pgbench in rounds of a few seconds, each with its own per-transaction log, until stopped. */
final class ApplicationLoad {

    /** One application transaction: when it ended and how long it took from its scheduled start. */
    record Transaction(long endMillis, double latencyMs) {
    }

    private static final int ROUND_SECONDS = 5;
    private final Thread thread;
    private final Path dir;
    private volatile boolean stopping;
    private volatile Exception failure;

    private ApplicationLoad(StoreOptions db, Path script, int tps, Path dir) throws IOException {
        this.dir = dir;
        BackfillBenchmark.deleteTree(dir);
        Files.createDirectories(dir);
        URI url = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        String database = url.getPath().substring(1);
        this.thread = new Thread(() -> {
            try {
                for (int round = 0; !stopping; round++) {
                    ProcessBuilder pb = new ProcessBuilder(pgbench(), "-n", "-h", url.getHost(),
                            "-p", String.valueOf(url.getPort()), "-U", db.user(), "-f", script.toString(),
                            "-R", String.valueOf(tps), "-c", "4", "-j", "2", "-T", String.valueOf(ROUND_SECONDS), "-l",
                            "--log-prefix=" + dir.resolve("round" + round), database)
                            .redirectErrorStream(true).redirectOutput(dir.resolve("round" + round + ".out").toFile());
                    pb.environment().put("PGPASSWORD", db.password());
                    int exit = pb.start().waitFor();
                    if (exit != 0) {
                        throw new IllegalStateException("pgbench exited with " + exit + ": "
                                + Files.readString(dir.resolve("round" + round + ".out")));
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }, "pgbench");
        thread.start();
    }

    static ApplicationLoad start(StoreOptions db, Path script, int tps, Path dir) throws IOException {
        return new ApplicationLoad(db, script, tps, dir);
    }

    /** Lets the current round end; returns every transaction logged. */
    List<Transaction> stop() throws Exception {
        stopping = true;
        thread.join();
        if (failure != null) {
            throw failure;
        }
        List<Transaction> all = new ArrayList<>();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().matches("round\\d+\\.\\d+(\\.\\d+)?")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    // client_id transaction_no time script_no time_epoch time_us [schedule_lag]
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 6 && !f[2].equals("skipped") && !f[2].equals("failed")) {
                        long end = Long.parseLong(f[4]) * 1000 + Long.parseLong(f[5]) / 1000;
                        all.add(new Transaction(end, Long.parseLong(f[2]) / 1000.0));
                    }
                }
            }
        }
        return all;
    }

    private static String pgbench() {
        for (String dir : List.of("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin",
                "/usr/bin")) {
            if (Files.isExecutable(Path.of(dir, "pgbench"))) {
                return Path.of(dir, "pgbench").toString();
            }
        }
        throw new IllegalStateException("no pgbench (it comes with PostgreSQL's server package: apt-get install"
                + " postgresql-15)");
    }
}
