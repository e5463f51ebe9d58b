package dev.keyway.it.bench;

import dev.keyway.it.bench.BackfillBenchmark.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code bin/bench} prints and writes to {@code target/bench/results.json}: each contender's rows/s with its ratio
 * to the JDBC keyset loop of the same invocation, its latencies and memory, and the CPU each part spent per 1,000 rows.
 */
final class BenchReport {

    private BenchReport() {
    }

    /** Prints the tables and writes {@code out/results.json}; ratios are against the first JDBC loop in {@code results}. */
    static void write(List<Result> results, int rows, BenchDatabase database, boolean pinned, Path out)
            throws IOException {
        double baseline = results.stream().filter(r -> r.contender().startsWith("2 ")).mapToDouble(Result::rowsPerSecond)
                .findFirst().orElse(Double.NaN);
        System.out.println();
        System.out.printf("%-36s %9s %12s %8s %9s %9s %11s %10s %8s %8s%n", "CONTENDER", "SECONDS", "ROWS/S", "VS JDBC",
                "BATCH P50", "BATCH P99", "OUTSIDE DB", "1ST BATCH", "WORKER", "COORD.");
        System.out.printf("%-36s %9s %12s %8s %9s %9s %11s %10s %8s %8s%n", "", "", "", "", "ms", "ms", "p50 ms",
                "ms", "RSS MiB", "RSS MiB");
        StringBuilder json = new StringBuilder("{\n  \"rows\": " + rows + ",\n  \"database\": \""
                + database.description().replace("\"", "'") + "\",\n  \"databasePinnedToOwnCore\": "
                + pinned + ",\n  \"cores\": "
                + Runtime.getRuntime().availableProcessors() + ",\n  \"results\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            System.out.printf("%-36s %9.1f %,12.0f %7.2fx %9s %9s %11s %10s %8s %8s%n", r.contender(), r.seconds(),
                    r.rowsPerSecond(), r.rowsPerSecond() / baseline, f(r.batchP50Ms()), f(r.batchP99Ms()),
                    f(r.outsideDbP50Ms()), f(r.firstBatchMs()), f(r.workerRssMib()), f(r.coordinatorRssMib()));
            json.append(String.format("    {\"contender\": \"%s\", \"rows\": %d, \"seconds\": %.3f, \"rowsPerSecond\": %.1f,"
                            + " \"vsJdbcLoop\": %.3f, \"batchP50Ms\": %s, \"batchP99Ms\": %s, \"outsideDbP50Ms\": %s,"
                            + " \"firstBatchMs\": %s, \"workerRssMib\": %s, \"coordinatorRssMib\": %s,"
                            + " \"cpuMsPer1000Rows\": {%s}}%s%n",
                    r.contender(), r.rows(), r.seconds(), r.rowsPerSecond(), r.rowsPerSecond() / baseline,
                    j(r.batchP50Ms()), j(r.batchP99Ms()), j(r.outsideDbP50Ms()), j(r.firstBatchMs()),
                    j(r.workerRssMib()), j(r.coordinatorRssMib()),
                    r.cpu().entrySet().stream().map(e -> String.format("\"%s\": %.1f", e.getKey(), e.getValue()))
                            .collect(Collectors.joining(", ")), i + 1 < results.size() ? "," : ""));
        }
        System.out.println();
        boolean replica = database.isMariaDb();
        System.out.printf("%-36s %10s %10s %10s %10s %10s%s%n", "CPU MS PER 1,000 ROWS", "DATABASE", "CLIENT",
                "COORD.", "BROKER", "TOTAL", replica ? String.format(" %10s", "REPLICA") : "");
        for (Result r : results) {
            Map<String, Double> c = r.cpu();
            double total = c.entrySet().stream().filter(e -> !e.getKey().equals("replica"))
                    .mapToDouble(Map.Entry::getValue).sum();
            System.out.printf("%-36s %10s %10s %10s %10s %10s%s%n", r.contender(), f(c.get("db")), f(c.get("client")),
                    f(c.get("coordinator")), f(c.get("broker")), f(total),
                    replica ? String.format(" %10s", f(c.get("replica"))) : "");
        }
        System.out.println("(CLIENT: the benchmark's own JVM for contenders 1-3, the workers for Keyway"
                + (replica ? "; REPLICA: the MariaDB replica's mariadbd on this machine, not in the total)" : ")"));
        json.append("  ]\n}\n");
        Files.writeString(out.resolve("results.json"), json);
        System.out.println("\nevery run checked: each row changed exactly once. JSON: " + out.resolve("results.json"));
    }

    private static String f(Number n) {
        return n == null ? "-" : String.format("%,.0f", n.doubleValue());
    }

    private static String j(Number n) {
        return n == null ? "null" : String.valueOf(n);
    }
}
