package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.coordinator.metrics.CoordinatorMetrics;
import dev.keyway.coordinator.notify.Notifier;
import dev.keyway.coordinator.notify.NotifyOptions;
import dev.keyway.coordinator.notify.NotifyTargets;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.metrics.MetricsEndpoint;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.runtime.MigrationsOption;
import dev.keyway.runtime.ReadinessWatch;
import dev.keyway.runtime.ServiceRunner;
import dev.keyway.runtime.StoreStartup;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a coordinator until SIGTERM, configured by the environment: {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code TOPIC_PREFIX}, {@code TASK_PARTITIONS}, {@code JDBC_URL}, {@code JDBC_USER}, {@code JDBC_PASSWORD}, the database
 * timeouts of {@code DbTimeouts}, and the health limits {@code MAX_REPLICA_LAG_BYTES}, {@code THROTTLE_QUERY} and
 * {@code THROTTLE_QUERY_MAX} ({@link HealthLimits}), {@code METRICS_PORT} (serve Prometheus metrics at
 * {@code /metrics}, liveness at {@code /health} and readiness at {@code /ready} on that port; off when unset) with
 * {@code METRICS_BIND} (the address to listen on; the loopback interface unless set, {@code 0.0.0.0} for all), and
 * the notification targets {@code NOTIFY_URL} and {@code NOTIFY_URL_<NAME>} ({@link NotifyTargets}).
 */
public final class CoordinatorMain {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

    private CoordinatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        run(args, System.getenv());
    }

    /**
     * Runs a coordinator configured by {@code env} in place of the process's environment: the command line's
     * {@code coordinator} gives its flags ({@code --bootstrap-server}, {@code --command-config}) this way.
     */
    public static void run(String[] args, Map<String, String> env) throws InterruptedException {
        KafkaSettings settings = ServiceRunner.configure("coordinator", () -> KafkaSettings.fromEnv(env));
        StoreOptions storeOptions = ServiceRunner.configure("coordinator", () -> StoreOptions.fromEnv(env));
        MigrationCatalog catalog = ServiceRunner.configure("coordinator", () -> MigrationsOption.catalog(args, env));
        Optional<InetSocketAddress> metricsAt = ServiceRunner.configure("coordinator",
                () -> MetricsEndpoint.addressFromEnv(env));
        NotifyTargets targets = ServiceRunner.configure("coordinator", () -> NotifyTargets.fromEnv(env));
        CoordinatorThreads threads = CoordinatorThreads.bounded();
        Scheduler notifying = Schedulers.newSingle("keyway-notify");
        Notifier notifier = targets.isEmpty() ? null
                : new Notifier(targets, NotifyOptions.defaults(), new JsonCodec(), notifying);
        try (KafkaGateway kafka = KafkaGateway.connect(settings, Duration.ofSeconds(10));
             Store store = StoreStartup.open(storeOptions, Duration.ofSeconds(60))) {
            log.info("coordinator on {} (topics {}*), store {}, migrations {}", settings.bootstrapServers(),
                    settings.topicPrefix(), store.describe(), catalog.all().stream().map(m -> m.name()).toList());
            log.info("notifications: {}", targets.describe());
            Clock clock = Clock.systemUTC();
            ReadinessWatch readiness = ReadinessWatch.of(kafka, store, clock);
            MetricsEndpoint metrics = metricsAt.map(at -> MetricsEndpoint.start(at.getAddress(), at.getPort(), readiness))
                    .orElse(null);
            CoordinatorMetrics meters = metrics == null ? null : new CoordinatorMetrics(metrics.registry(), clock);
            Coordinator coordinator = new Coordinator(kafka, store, catalog, clock, threads, HealthLimits.fromEnv(env),
                    meters == null ? CoordinatorObserver.none() : meters, notifier);
            // its own threads: a database or broker that hangs holds a check or the lag's question, never the coordinator
            Scheduler monitoring = Schedulers.newParallel("keyway-monitoring", 3, true);
            Disposable.Composite following = Disposables.composite();
            if (metrics != null) {
                following.add(readiness.start(monitoring));
                String workers = settings.topicPrefix() + "workers";
                following.add(meters.follow(coordinator::snapshot,
                        () -> kafka.consumerLag(workers, settings.topics().tasks(), ReadinessWatch.TIMEOUT), monitoring));
                log.info("metrics at {} (and /health, /ready)", metrics.url());
            }
            ServiceRunner.runUntilStopped("coordinator", coordinator.run(), () -> {
                following.dispose();
                monitoring.dispose();
                if (notifier != null) {
                    notifier.close();
                }
                notifying.dispose();
                threads.dispose();
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
