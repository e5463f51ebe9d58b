package dev.keyway.it.support;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Coordinators and workers as separate OS processes on a real broker and database, with fresh
 * topics (a unique prefix) and consumer groups. The test drives them like an operator would.
 */
public final class ProcessCluster implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Map<String, String> env = new HashMap<>();
    private final Path logDir;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final KafkaGateway kafka;
    private final MigrationsClient client;
    private int started;

    public ProcessCluster(String bootstrap, StoreOptions db, Path logDir) {
        String prefix = "pc-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("TOPIC_PREFIX", prefix);
        env.put("TASK_PARTITIONS", "12");
        env.put("JDBC_URL", db.jdbcUrl());
        env.put("JDBC_USER", db.user());
        env.put("JDBC_PASSWORD", db.password());
        // no application shares the tests' tables: full speed, unless a test asks for the defaults (withEnv)
        env.put("KEYWAY_FULL_SPEED", "true");
        this.logDir = logDir;
        KafkaSettings settings = KafkaSettings.fromEnv(env);
        this.kafka = KafkaGateway.connect(settings, Duration.ofSeconds(20));
        kafka.ensureTopics();
        this.client = new MigrationsClient(kafka);
    }

    /** Sets an environment variable of the services started from now on. */
    public ProcessCluster withEnv(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** A coordinator started with these command line arguments (such as {@code --migrations PATH}). */
    public ServiceProcess coordinator(String... args) {
        return start("coordinator-" + (++started), ServiceProcess.COORDINATOR, args);
    }

    /** A worker started with these command line arguments (such as {@code --migrations PATH}). */
    public ServiceProcess worker(String... args) {
        return start("worker-" + (++started), ServiceProcess.WORKER, args);
    }

    private ServiceProcess start(String name, String main, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.put("WORKER_NAME", name);
        ServiceProcess p = ServiceProcess.start(name, main, e, logDir, args);
        processes.add(p);
        return p;
    }

    /**
     * Starts the distribution's launcher, {@code keyway args...} (e.g. {@code worker --migrations x.jar}), with this
     * cluster's environment; {@link #close()} kills it like the other processes.
     */
    public ServiceProcess launch(String name, Path keyway, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.put("WORKER_NAME", name);
        List<String> cmd = new ArrayList<>();
        cmd.add(keyway.toString());
        cmd.addAll(List.of(args));
        ServiceProcess p = ServiceProcess.command(name, cmd, e, logDir);
        processes.add(p);
        return p;
    }

    /** Runs Kafka's own tool (or any main class) as a process with the test classpath; returns it finished. */
    public ServiceProcess tool(String name, String mainClass, String... args) throws InterruptedException {
        ServiceProcess p = ServiceProcess.start(name, mainClass, env, logDir, args);
        p.await(120);
        return p;
    }

    public Event send(Command c) {
        return client.send(c, Duration.ofSeconds(60));
    }

    public MigrationStatus await(Predicate<MigrationStatus> condition) {
        return client.awaitStatus(condition, TIMEOUT);
    }

    public MigrationStatus await(Predicate<MigrationStatus> condition, Duration timeout) {
        return client.awaitStatus(condition, timeout);
    }

    public KafkaGateway kafka() {
        return kafka;
    }

    /**
     * Waits until the run started (or resumed) at or after {@code since} ends: success, failed or canceled. A status
     * of the run before it (a canceled one, rewritten by a late outcome after {@code since}) does not count.
     */
    public MigrationStatus awaitEnd(String name, long since) {
        return await(s -> s.name().equals(name) && s.updatedAt() >= since && s.run().latestStart() != null
                && s.run().latestStart() >= since && s.state() != MigrationState.IN_PROGRESS);
    }

    public MigrationStatus status(String name) {
        return client.statuses().get(name);
    }

    public String topicPrefix() {
        return env.get("TOPIC_PREFIX");
    }

    public String bootstrap() {
        return env.get("KAFKA_BOOTSTRAP_SERVERS");
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess p : processes) {
            p.close();
        }
        kafka.close();
    }
}
