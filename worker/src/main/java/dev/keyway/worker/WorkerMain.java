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
import dev.keyway.runtime.ReadinessWatch;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import reactor.core.Disposable;
import reactor.core.Disposables;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a worker until SIGTERM, configured by the environment: {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code TOPIC_PREFIX}, {@code JDBC_URL}, {@code JDBC_USER}, {@code JDBC_PASSWORD}, the database timeouts of
 * {@code DbTimeouts}, {@code BATCH_DEADLINE_MS} (how long the {@code migrateOne} calls of one batch may take,
 * default 5000), {@code WORKER_NAME}, {@code WORKER_SLICES} (the slices it runs at once, default the machine's cores;
 * the store's pool gets one connection more), and
 * {@code METRICS_PORT} (serve Prometheus metrics at {@code /metrics}, liveness at {@code /health} and readiness
 * at {@code /ready} on that port; off when unset) with
 * {@code METRICS_BIND} (the address to listen on; the loopback interface unless set, {@code 0.0.0.0} for all).
 */
public final class WorkerMain {

    private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
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
        Optional<InetSocketAddress> metricsAt = ServiceRunner.configure("worker", () -> MetricsEndpoint.addressFromEnv(env));
        String name = env.getOrDefault("WORKER_NAME",
                env.getOrDefault("HOSTNAME", "worker") + "-" + ProcessHandle.current().pid());
        MigrationCatalog catalog = ServiceRunner.configure(name, () -> MigrationsOption.catalog(args, env));
        int slices = ServiceRunner.configure(name, () -> Worker.slicesFromEnv(env));
        Scheduler blocking = Schedulers.newBoundedElastic(slices, 1000, "keyway-worker");
        Scheduler calls = Schedulers.newBoundedElastic(4 * Runtime.getRuntime().availableProcessors() + 16, 10_000,
                "keyway-migrate-one");
        Duration deadline = env.containsKey("BATCH_DEADLINE_MS")
                ? Duration.ofMillis(Long.parseLong(env.get("BATCH_DEADLINE_MS").trim())) : MigrateOneCalls.DEFAULT_DEADLINE;
        try (KafkaGateway kafka = KafkaGateway.connect(settings, Duration.ofSeconds(10));
             Store store = StoreStartup.open(poolFor(StoreOptions.fromEnv(env), slices), Duration.ofSeconds(60))) {
            log.info("{} on {} (topics {}*), store {}, migrations {}, {} slice(s) at once", name,
                    settings.bootstrapServers(), settings.topicPrefix(), store.describe(),
                    catalog.all().stream().map(m -> m.name()).toList(), slices);
            ReadinessWatch readiness = ReadinessWatch.of(kafka, store, Clock.systemUTC());
            MetricsEndpoint metrics = metricsAt.map(at -> MetricsEndpoint.start(at.getAddress(), at.getPort(), readiness))
                    .orElse(null);
            // its own threads: a database that hangs holds a check, never the batches' threads
            Scheduler monitoring = Schedulers.newParallel("keyway-readiness", 2, true);
            Disposable checking = metrics == null ? Disposables.disposed() : readiness.start(monitoring);
            if (metrics != null) {
                log.info("metrics at {} (and /health, /ready)", metrics.url());
            }
            Worker worker = new Worker(kafka, store, catalog, blocking, calls, deadline,
                    metrics != null ? new MicrometerBatchObserver(metrics.registry()) : BatchObserver.none(), name, slices);
            ServiceRunner.runUntilStopped(name, worker.run(), () -> {
                checking.dispose();
                monitoring.dispose();
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

    /** A connection for each slice's batch, and one for the readiness checks. */
    static StoreOptions poolFor(StoreOptions options, int slices) {
        return options.withPoolSize(Math.max(options.poolSize(), Math.min(slices + 1, 64)));
    }
}
