package dev.keyway.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What {@code bin/bench --coordinator} prints and writes to {@code target/bench/coordinator.json}: for each number of
 * migrations and of segments, the slice outcomes the coordinator took per second in the timed window, what each one
 * cost (CPU of the coordinator, the database and the broker; bytes the coordinator wrote to the status topic and to
 * the others), and the rows per second those outcomes stand for at {@value SliceChain#BATCHES} batches of
 * {@value SliceChain#BATCH} rows a slice.
 */
final class CoordinatorReport {

    private CoordinatorReport() {
    }

    /**
     * One configuration's figures over its timed window.
     *
     * @param outcomes slice outcomes the coordinator took (the tasks it handed out in answer)
     * @param coordinatorCpuMs the coordinator process's CPU time (user + system)
     * @param databaseCpuMs PostgreSQL's (every backend: the coordinator's ledger reads; the workers do none)
     * @param brokerCpuMs the Kafka broker's
     * @param workersCpuMs the benchmark's own process: the simulated workers
     * @param statusBytes what the status topic's log grew by (records, batch headers and transaction markers)
     * @param otherBytes what the tasks and history topics' logs grew by
     * @param heapMib the coordinator's heap in use after a full collection, after the run; -1 unknown
     * @param rssMib the coordinator's peak resident memory; -1 unknown
     * @param ledgerSeconds how long writing the runs' ledger took, before the window (not timed)
     */
    record Result(int migrations, int segments, double seconds, long outcomes, long coordinatorCpuMs,
                  long databaseCpuMs, long brokerCpuMs, long workersCpuMs, long statusBytes, long otherBytes,
                  long heapMib, long rssMib, double ledgerSeconds) {

        double outcomesPerSecond() {
            return outcomes / seconds;
        }

        /** The rows per second those outcomes stand for. */
        double rowsPerSecond() {
            return outcomesPerSecond() * SliceChain.ROWS_PER_SLICE;
        }

        double perOutcome(long total) {
            return outcomes == 0 ? Double.NaN : (double) total / outcomes;
        }

        /** The coordinator's cores busy over the window (1.0 = one core all the time). */
        double coordinatorCores() {
            return coordinatorCpuMs / (seconds * 1000);
        }

        /** The outcomes per second one core of the coordinator's would take at its CPU per outcome. */
        double outcomesPerCoordinatorCore() {
            return coordinatorCpuMs == 0 ? Double.NaN : 1000.0 / perOutcome(coordinatorCpuMs);
        }
    }

    static void write(List<Result> results, String machine, Path out) throws IOException {
        System.out.println();
        System.out.printf("%5s %5s %9s %12s %9s %7s %8s %8s %8s %10s %9s %6s %6s%n", "MIGR.", "SEGS", "OUTCOMES",
                "ROWS/S", "COORD. CPU", "COORD.", "DB CPU", "BROKER", "WORKERS", "STATUS", "OTHER", "HEAP", "RSS");
        System.out.printf("%5s %5s %9s %12s %9s %7s %8s %8s %8s %10s %9s %6s %6s%n", "", "", "/s", "(x100,000)",
                "ms/outc.", "cores", "ms/outc.", "ms/outc.", "ms/outc.", "B/outcome", "B/outc.", "MiB", "MiB");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%5d %5d %,9.0f %,12.0f %9.2f %7.2f %8.2f %8.2f %8.2f %,10.0f %,9.0f %6d %6d%n",
                    r.migrations(), r.segments(), r.outcomesPerSecond(), r.rowsPerSecond(),
                    r.perOutcome(r.coordinatorCpuMs()), r.coordinatorCores(), r.perOutcome(r.databaseCpuMs()),
                    r.perOutcome(r.brokerCpuMs()), r.perOutcome(r.workersCpuMs()), r.perOutcome(r.statusBytes()),
                    r.perOutcome(r.otherBytes()), r.heapMib(), r.rssMib());
        }
        Files.createDirectories(out);
        Path file = out.resolve("coordinator.json");
        Files.writeString(file, json(results, machine));
        System.out.println("\nevery run ended in success, its rows adding up to the outcomes' exactly. JSON: " + file);
    }

    static String json(List<Result> results, String machine) {
        return "{\n  \"machine\": \"" + machine.replace("\"", "'") + "\",\n  \"rowsPerSlice\": "
                + SliceChain.ROWS_PER_SLICE + ",\n  \"results\": [\n"
                + results.stream().map(r -> String.format(Locale.ROOT, "    {\"migrations\": %d, \"segments\": %d,"
                        + " \"seconds\": %.3f, \"outcomes\": %d, \"outcomesPerSecond\": %.1f, \"rowsPerSecond\": %.0f,"
                        + " \"coordinatorCpuMsPerOutcome\": %.3f, \"coordinatorCores\": %.3f,"
                        + " \"databaseCpuMsPerOutcome\": %.3f, \"brokerCpuMsPerOutcome\": %.3f,"
                        + " \"workersCpuMsPerOutcome\": %.3f, \"statusBytesPerOutcome\": %.0f,"
                        + " \"otherBytesPerOutcome\": %.0f, \"coordinatorHeapMib\": %d, \"coordinatorRssMib\": %d,"
                        + " \"ledgerSeconds\": %.1f}",
                        r.migrations(), r.segments(), r.seconds(), r.outcomes(), r.outcomesPerSecond(), r.rowsPerSecond(),
                        r.perOutcome(r.coordinatorCpuMs()), r.coordinatorCores(), r.perOutcome(r.databaseCpuMs()),
                        r.perOutcome(r.brokerCpuMs()), r.perOutcome(r.workersCpuMs()), r.perOutcome(r.statusBytes()),
                        r.perOutcome(r.otherBytes()), r.heapMib(), r.rssMib(), r.ledgerSeconds()))
                        .collect(Collectors.joining(",\n"))
                + "\n  ]\n}\n";
    }
}
