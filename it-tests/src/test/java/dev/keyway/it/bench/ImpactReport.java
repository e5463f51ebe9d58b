package dev.keyway.it.bench;

import dev.keyway.it.bench.ImpactBenchmark.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What {@code bin/bench --impact} prints and writes to {@code target/bench/impact.json}: each run's phases side by
 * side, the medians per phase over the runs ({@code --repeats}), and the targets: issue 9's (the adaptive phase's
 * application p99 at most 1.5x the baseline's at 50 % of full speed or more) and issue 20's (the adaptive phase harms
 * the application less than either peer at the same speed: a lower p99 than the JDBC loop's and Spring Batch's).
 * The targets are judged on the medians over the runs of each run's own ratios.
 */
final class ImpactReport {

    private final int rows;
    private final int appTps;
    private final int latencyTargetMs;
    private final int peerBatch;
    private final Integer adaptiveConcurrency;
    private final boolean pinned;

    ImpactReport(int rows, int appTps, int latencyTargetMs, int peerBatch, Integer adaptiveConcurrency, boolean pinned) {
        this.rows = rows;
        this.appTps = appTps;
        this.latencyTargetMs = latencyTargetMs;
        this.peerBatch = peerBatch;
        this.adaptiveConcurrency = adaptiveConcurrency;
        this.pinned = pinned;
    }

    /** One run's table. */
    void printRun(List<Phase> phases) {
        System.out.println();
        table(phases);
        Targets t = Targets.of(byName(phases));
        System.out.printf("adaptive: p99 %.2fx the baseline's at %.2fx full speed; defaults: p99 %.2fx at %.2fx;"
                        + " adaptive p99 / the JDBC loop's %.2f, / Spring Batch's %.2f%n", t.adaptiveP99VsBaseline,
                t.adaptiveSpeedVsFullSpeed, t.defaultsP99VsBaseline, t.defaultsSpeedVsFullSpeed, t.adaptiveP99VsJdbcLoop,
                t.adaptiveP99VsSpringBatch);
    }

    /** The medians over {@code runs}, the targets, and the JSON of every run. */
    void write(List<List<Phase>> runs, Path out) throws IOException {
        List<Phase> medians = medians(runs);
        List<Targets> targets = runs.stream().map(r -> Targets.of(byName(r))).collect(Collectors.toList());
        Targets t = Targets.median(targets);
        System.out.printf("%n%s%n", runs.size() == 1 ? "one run" : "medians of " + runs.size() + " runs, each phase's"
                + " figure on its own (the ratios below are the medians of each run's ratios)");
        table(medians);
        System.out.printf("%nissue 9, adaptive: application p99 %.2fx the baseline's (target <= 1.5x: %s), backfill %.2fx"
                        + " full speed (target >= 0.5x: %s); met in %d of %d runs%n", t.adaptiveP99VsBaseline,
                t.adaptiveP99VsBaseline <= 1.5 ? "met" : "NOT met", t.adaptiveSpeedVsFullSpeed,
                t.adaptiveSpeedVsFullSpeed >= 0.5 ? "met" : "NOT met",
                targets.stream().filter(Targets::issue9Met).count(), runs.size());
        System.out.printf("no option (the defaults): application p99 %.2fx the baseline's at %.2fx full speed%n",
                t.defaultsP99VsBaseline, t.defaultsSpeedVsFullSpeed);
        System.out.printf("issue 20, at the same speed (peers at %.2fx and %.2fx of the adaptive phase's rows/s):"
                        + " adaptive p99 / the JDBC loop's %.2f, / Spring Batch's %.2f; p50 / the loop's %.2f, / Spring"
                        + " Batch's %.2f; lower p99 than both peers in %d of %d runs (%s)%n", t.jdbcLoopSpeedVsAdaptive,
                t.springBatchSpeedVsAdaptive, t.adaptiveP99VsJdbcLoop, t.adaptiveP99VsSpringBatch, t.adaptiveP50VsJdbcLoop,
                t.adaptiveP50VsSpringBatch, targets.stream().filter(Targets::issue20Met).count(), runs.size(),
                t.issue20Met() ? "met on the medians" : "NOT met on the medians");
        StringBuilder json = new StringBuilder("{\n  \"rows\": " + rows + ",\n  \"appTargetTps\": " + appTps
                + ",\n  \"latencyTargetMs\": " + latencyTargetMs + ",\n  \"databasePinnedToOwnCore\": " + pinned
                + ",\n  \"adaptiveMaxConcurrency\": " + adaptiveConcurrency + ",\n  \"peerBatch\": " + peerBatch
                + ",\n  \"springBatchPartitions\": " + ImpactBenchmark.SPRING_BATCH_PARTITIONS + ",\n  \"cores\": "
                + Runtime.getRuntime().availableProcessors() + ",\n  \"repeats\": " + runs.size() + ",\n");
        json.append("  \"medians\": ").append(phasesJson(medians, t, "  ")).append(",\n  \"runs\": [\n");
        for (int i = 0; i < runs.size(); i++) {
            json.append("    ").append(phasesJson(runs.get(i), targets.get(i), "    "))
                    .append(i + 1 < runs.size() ? ",\n" : "\n");
        }
        json.append("  ]\n}\n");
        Files.writeString(out.resolve("impact.json"), json);
        System.out.println("every phase checked: each row migrated exactly once, no application update lost. JSON: "
                + out.resolve("impact.json"));
    }

    private static void table(List<Phase> phases) {
        Phase base = byName(phases).get("baseline");
        System.out.printf("%-11s %8s %9s %9s %8s %11s %6s %9s%n", "PHASE", "SECONDS", "APP P50", "APP P99",
                "APP TPS", "BACKFILL", "BATCH", "P99 VS");
        System.out.printf("%-11s %8s %9s %9s %8s %11s %6s %9s%n", "", "", "ms", "ms", "", "rows/s", "max",
                "BASELINE");
        for (Phase p : phases) {
            System.out.printf("%-11s %8.1f %9.1f %9.1f %8.1f %,11.0f %6s %8.2fx%n", p.name(), p.seconds(),
                    p.appP50Ms(), p.appP99Ms(), p.appTps(), p.backfillRowsPerSec(), p.batch() == 0 ? "" : p.batch(),
                    p.appP99Ms() / base.appP99Ms());
        }
    }

    /** Each phase's median figures over the runs (every run has the same phases, in the same order). */
    static List<Phase> medians(List<List<Phase>> runs) {
        List<Phase> medians = new ArrayList<>();
        for (int i = 0; i < runs.get(0).size(); i++) {
            int at = i;
            List<Phase> same = runs.stream().map(r -> r.get(at)).collect(Collectors.toList());
            medians.add(new Phase(same.get(0).name(), median(same, Phase::appP50Ms), median(same, Phase::appP99Ms),
                    median(same, Phase::appTps), median(same, Phase::backfillRowsPerSec),
                    (int) median(same, Phase::batch), (long) median(same, Phase::appTransactions),
                    median(same, Phase::seconds)));
        }
        return medians;
    }

    static <T> double median(List<T> values, ToDoubleFunction<T> figure) {
        double[] sorted = values.stream().mapToDouble(figure).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Map<String, Phase> byName(List<Phase> phases) {
        Map<String, Phase> by = new LinkedHashMap<>();
        phases.forEach(p -> by.put(p.name(), p));
        return by;
    }

    private static String phasesJson(List<Phase> phases, Targets t, String indent) {
        StringBuilder json = new StringBuilder("{\n");
        for (Phase p : phases) {
            json.append(String.format("%s  \"%s\": {\"appP50Ms\": %.2f, \"appP99Ms\": %.2f, \"appTps\": %.1f,"
                            + " \"backfillRowsPerSec\": %.1f, \"batch\": %d, \"appTransactions\": %d, \"seconds\": %.2f},%n",
                    indent, p.name(), p.appP50Ms(), p.appP99Ms(), p.appTps(), p.backfillRowsPerSec(), p.batch(),
                    p.appTransactions(), p.seconds()));
        }
        json.append(String.format("%s  \"targets\": {\"adaptiveP99VsBaseline\": %.3f, \"adaptiveSpeedVsFullSpeed\": %.3f,"
                        + " \"issue9Met\": %s, \"defaultsP99VsBaseline\": %.3f, \"defaultsSpeedVsFullSpeed\": %.3f,"
                        + " \"adaptiveP99VsJdbcLoop\": %.3f, \"adaptiveP99VsSpringBatch\": %.3f,"
                        + " \"adaptiveP50VsJdbcLoop\": %.3f, \"adaptiveP50VsSpringBatch\": %.3f,"
                        + " \"jdbcLoopSpeedVsAdaptive\": %.3f, \"springBatchSpeedVsAdaptive\": %.3f, \"issue20Met\": %s}%n%s}",
                indent, t.adaptiveP99VsBaseline, t.adaptiveSpeedVsFullSpeed, t.issue9Met(), t.defaultsP99VsBaseline,
                t.defaultsSpeedVsFullSpeed, t.adaptiveP99VsJdbcLoop, t.adaptiveP99VsSpringBatch, t.adaptiveP50VsJdbcLoop,
                t.adaptiveP50VsSpringBatch, t.jdbcLoopSpeedVsAdaptive, t.springBatchSpeedVsAdaptive, t.issue20Met(),
                indent));
        return json.toString();
    }

    /** One run's ratios (or the medians of several runs'). */
    record Targets(double adaptiveP99VsBaseline, double adaptiveSpeedVsFullSpeed, double defaultsP99VsBaseline,
                   double defaultsSpeedVsFullSpeed, double adaptiveP99VsJdbcLoop, double adaptiveP99VsSpringBatch,
                   double adaptiveP50VsJdbcLoop, double adaptiveP50VsSpringBatch, double jdbcLoopSpeedVsAdaptive,
                   double springBatchSpeedVsAdaptive) {

        static Targets of(Map<String, Phase> by) {
            Phase base = by.get("baseline");
            Phase full = by.get("fullSpeed");
            Phase defaults = by.get("defaults");
            Phase adaptive = by.get("adaptive");
            Phase loop = by.get("jdbcLoop");
            Phase spring = by.get("springBatch");
            return new Targets(adaptive.appP99Ms() / base.appP99Ms(),
                    adaptive.backfillRowsPerSec() / full.backfillRowsPerSec(), defaults.appP99Ms() / base.appP99Ms(),
                    defaults.backfillRowsPerSec() / full.backfillRowsPerSec(), adaptive.appP99Ms() / loop.appP99Ms(),
                    adaptive.appP99Ms() / spring.appP99Ms(), adaptive.appP50Ms() / loop.appP50Ms(),
                    adaptive.appP50Ms() / spring.appP50Ms(), loop.backfillRowsPerSec() / adaptive.backfillRowsPerSec(),
                    spring.backfillRowsPerSec() / adaptive.backfillRowsPerSec());
        }

        static Targets median(List<Targets> runs) {
            return new Targets(ImpactReport.median(runs, Targets::adaptiveP99VsBaseline),
                    ImpactReport.median(runs, Targets::adaptiveSpeedVsFullSpeed),
                    ImpactReport.median(runs, Targets::defaultsP99VsBaseline),
                    ImpactReport.median(runs, Targets::defaultsSpeedVsFullSpeed),
                    ImpactReport.median(runs, Targets::adaptiveP99VsJdbcLoop),
                    ImpactReport.median(runs, Targets::adaptiveP99VsSpringBatch),
                    ImpactReport.median(runs, Targets::adaptiveP50VsJdbcLoop),
                    ImpactReport.median(runs, Targets::adaptiveP50VsSpringBatch),
                    ImpactReport.median(runs, Targets::jdbcLoopSpeedVsAdaptive),
                    ImpactReport.median(runs, Targets::springBatchSpeedVsAdaptive));
        }

        /** Issue 9: the adaptive phase's p99 at most 1.5x the baseline's with at least half the full speed. */
        boolean issue9Met() {
            return adaptiveP99VsBaseline <= 1.5 && adaptiveSpeedVsFullSpeed >= 0.5;
        }

        /** Issue 20: the adaptive phase's p99 below both peers' at the same speed. */
        boolean issue20Met() {
            return adaptiveP99VsJdbcLoop < 1 && adaptiveP99VsSpringBatch < 1;
        }
    }
}
