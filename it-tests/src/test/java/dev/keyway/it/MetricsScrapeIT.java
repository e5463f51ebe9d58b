package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real scrape: a coordinator and a worker run as processes (METRICS_PORT, as an operator starts them) on a real
 * broker and database answer {@code /health} and {@code /ready}, run a migration (every row once), and export every
 * metric the dashboard and the alert rules of monitoring/ name, with the migration's end in the coordinator's gauges
 * and the batch durations as a histogram.
 */
class MetricsScrapeIT {

    private static final Path DASHBOARD = AlertRulesIT.DASHBOARD;
    private static final Path ALERTS = AlertRulesIT.ALERTS;
    private static final Pattern METRIC = Pattern.compile("\\bkeyway_[a-z0-9_]+");
    private static final Pattern URL = Pattern.compile("metrics at (http://127\\.0\\.0\\.1:\\d+)/metrics");
    private static final String MIGRATION = "incrementCounter";
    private static final int ROWS = 2_000;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * The keyway_ metric names a file's queries use: the dashboard's PromQL ({@code expr} and the variable's
     * {@code query}), the rules' {@code expr}s (not their annotations' prose).
     */
    private static Set<String> referenced(Path file) throws IOException {
        Pattern queries = file.toString().endsWith(".yml") ? Pattern.compile("(?s)expr:(.*?)\\n\\s*for:")
                : Pattern.compile("\"(?:expr|query)\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
        Set<String> names = new TreeSet<>();
        Matcher q = queries.matcher(Files.readString(file));
        while (q.find()) {
            Matcher m = METRIC.matcher(q.group(1));
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The base URL a service logged for its endpoint, once it did. */
    private static String endpoint(ServiceProcess service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = URL.matcher(service.output());
            if (m.find()) {
                return m.group(1);
            }
            assertTrue(service.isAlive(), service.name() + " died:\n" + service.output());
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError(service.name() + " never logged its metrics endpoint:\n" + service.output());
    }

    /** The metric names of a scrape (the Prometheus text format: a sample line starts with its name). */
    private static Set<String> exported(String scrape) {
        return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Scrapes {@code url} until {@code ok} holds of the text, or fails after 90 s showing the last one. */
    private String scrapeUntil(String url, java.util.function.Predicate<String> ok, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(url);
            assertEquals(200, r.statusCode(), url);
            last = r.body();
            if (ok.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError(what + " never showed at " + url + ":\n" + last);
    }

    @Test
    void aRunningSystemExportsEveryMetricTheDashboardAndTheRulesUseAndIsHealthyAndReady() throws Exception {
        Set<String> wanted = new TreeSet<>(referenced(DASHBOARD));
        wanted.addAll(referenced(ALERTS));
        assertTrue(wanted.size() >= 15, "the dashboard and the rules use the metrics of MetricNames: " + wanted);

        try (ProcessCluster cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), items.options(),
                Path.of("target", "it-logs", "monitoring")).withEnv("METRICS_PORT", "0")) {
            String coordinator = endpoint(cluster.coordinator());
            String worker = endpoint(cluster.worker());
            for (String service : List.of(coordinator, worker)) {
                assertEquals(200, get(service + "/health").statusCode(), service);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                HttpResponse<String> ready = get(service + "/ready");
                while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(200);
                    ready = get(service + "/ready");
                }
                assertEquals(200, ready.statusCode(), service + ": " + ready.body());
                assertEquals("ready\n", ready.body());
            }

            long since = System.currentTimeMillis();
            assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withSegments(4)));
            assertEquals(MigrationState.SUCCESS, cluster.awaitEnd(MIGRATION, since).state());
            assertEquals(0, items.sql().itemsNotAt(1), "every row once");

            String tag = "{migration=\"" + MIGRATION + "\"";
            String coordinatorScrape = scrapeUntil(coordinator + "/metrics",
                    s -> s.contains("keyway_migration_state" + tag + ",state=\"success\"} 1.0")
                            && s.contains("keyway_migration_rows_processed" + tag + "} " + ROWS + ".0"),
                    "the migration's success and its " + ROWS + " rows");
            String workerScrape = scrapeUntil(worker + "/metrics", s -> s.contains("keyway_batch_duration_seconds_bucket"),
                    "the batch duration histogram");

            Set<String> all = new TreeSet<>(exported(coordinatorScrape));
            all.addAll(exported(workerScrape));
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(all);
            assertTrue(missing.isEmpty(), "the dashboard or the rules use metrics nobody exports: " + missing
                    + "\nexported: " + all.stream().filter(n -> n.startsWith("keyway_")).toList());

            long buckets = workerScrape.lines().filter(l -> l.startsWith("keyway_batch_duration_seconds_bucket" + tag))
                    .count();
            assertTrue(buckets >= 10 && buckets <= 20, "a p99 needs buckets, a scrape few of them: " + buckets);
            assertTrue(coordinatorScrape.contains("keyway_outcomes_dropped_total{reason=\"stale\"}"), coordinatorScrape);
            assertTrue(coordinatorScrape.matches("(?s).*\nkeyway_tasks_waiting [0-9.]+\n.*"),
                    "the workers' lag is read: " + coordinatorScrape.lines().filter(l -> l.contains("tasks_waiting")).toList());
        }
    }
}
