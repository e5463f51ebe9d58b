package dev.keyway.worker;

import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.batch.BatchObserver;
import dev.keyway.worker.metrics.MicrometerBatchObserver;
import dev.keyway.metrics.MetricsEndpoint;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.runtime.MigrationsOption;
import dev.keyway.runtime.ServiceRunner;
import dev.keyway.runtime.StoreStartup;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import dev.keyway.batch.MigrateOneCalls;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a worker until SIGTERM, configured by the environment: {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code TOPIC_PREFIX}, {@code JDBC_URL}, {@code JDBC_USER}, {@code JDBC_PASSWORD}, the database timeouts of
 * {@code DbTimeouts}, {@code BATCH_DEADLINE_MS} (how long the {@code migrateOne} calls of one batch may take,
 * default 5000), {@code WORKER_NAME}, and
 * {@code METRICS_PORT} (serve Prometheus metrics at {@code /metrics} on that port; off when unset) with
 * {@code METRICS_BIND} (the address to listen on; the loopback interface unless set, {@code 0.0.0.0} for all).
 */
public final class WorkerMain {

    private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
    }

    /** {@code METRICS_BIND}: the address the metrics endpoint listens on; the loopback interface unless set. */
    private static java.net.InetAddress metricsBind(Map<String, String> env) {
        String bind = env.get("METRICS_BIND");
        try {
            return bind == null || bind.isBlank() ? java.net.InetAddress.getLoopbackAddress()
                    : java.net.InetAddress.getByName(bind.trim());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("METRICS_BIND must be an address of this host, but was '" + bind + "'", e);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        run(args, System.getenv());
    }

    /**
     * Runs a worker configured by {@code env} in place of the process's environment: the command line's
     * {@code worker} gives its flags ({@code --bootstrap-server}, {@code --command-config}) this way.
     */
    public static void run(String[] args, Map<String, String> env) throws InterruptedException {
        KafkaSettings settings = ServiceRunner.configure("worker", () -> KafkaSettings.fromEnv(env));
        String name = env.getOrDefault("WORKER_NAME",
                env.getOrDefault("HOSTNAME", "worker") + "-" + ProcessHandle.current().pid());
        MigrationCatalog catalog = ServiceRunner.configure(name, () -> MigrationsOption.catalog(args, env));
        Scheduler blocking = Schedulers.newBoundedElastic(4, 1000, "keyway-worker");
        Scheduler calls = Schedulers.newBoundedElastic(4 * Runtime.getRuntime().availableProcessors() + 16, 10_000,
                "keyway-migrate-one");
        Duration deadline = env.containsKey("BATCH_DEADLINE_MS")
                ? Duration.ofMillis(Long.parseLong(env.get("BATCH_DEADLINE_MS").trim())) : MigrateOneCalls.DEFAULT_DEADLINE;
        try (KafkaGateway kafka = KafkaGateway.connect(settings, Duration.ofSeconds(10));
             Store store = StoreStartup.open(StoreOptions.fromEnv(env), Duration.ofSeconds(60))) {
            log.info("{} on {} (topics {}*), store {}, migrations {}", name, settings.bootstrapServers(),
                    settings.topicPrefix(), store.describe(), catalog.all().stream().map(m -> m.name()).toList());
            MetricsEndpoint metrics = env.containsKey("METRICS_PORT")
                    ? MetricsEndpoint.start(metricsBind(env), Integer.parseInt(env.get("METRICS_PORT"))) : null;
            if (metrics != null) {
                log.info("metrics at {}", metrics.url());
            }
            Worker worker = new Worker(kafka, store, catalog, blocking, calls, deadline,
                    metrics != null ? new MicrometerBatchObserver(metrics.registry()) : BatchObserver.none(), name);
            ServiceRunner.runUntilStopped(name, worker.run(), () -> {
                blocking.dispose();
                calls.dispose();
                if (metrics != null) {
                    metrics.close();
                }
            });
        } catch (RuntimeException e) {
            log.error("{}", e.getMessage());
            System.exit(2);
        }
    }
}
