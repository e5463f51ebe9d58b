package dev.keyway.coordinator;

import dev.keyway.codec.JsonCodec;
import dev.keyway.coordinator.notify.Notifier;
import dev.keyway.coordinator.notify.NotifyOptions;
import dev.keyway.coordinator.notify.NotifyTargets;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.runtime.MigrationsOption;
import dev.keyway.runtime.ServiceRunner;
import dev.keyway.runtime.StoreStartup;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a coordinator until SIGTERM, configured by the environment: {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code TOPIC_PREFIX}, {@code TASK_PARTITIONS}, {@code JDBC_URL}, {@code JDBC_USER}, {@code JDBC_PASSWORD}, the database
 * timeouts of {@code DbTimeouts}, and the health limits {@code MAX_REPLICA_LAG_BYTES}, {@code THROTTLE_QUERY} and
 * {@code THROTTLE_QUERY_MAX} ({@link HealthLimits}), and the notification targets {@code NOTIFY_URL} and
 * {@code NOTIFY_URL_<NAME>} ({@link NotifyTargets}).
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
            ServiceRunner.runUntilStopped("coordinator",
                    new Coordinator(kafka, store, catalog, Clock.systemUTC(), threads, HealthLimits.fromEnv(env), notifier)
                            .run(),
                    () -> {
                        if (notifier != null) {
                            notifier.close();
                        }
                        notifying.dispose();
                        threads.dispose();
                    });
        } catch (RuntimeException e) {
            log.error("{}", e.getMessage());
            System.exit(2);
        }
    }
}
