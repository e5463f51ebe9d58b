package dev.keyway.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A real Kafka cluster for a test, chosen in this order:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} set: that cluster ({@link Kind#EXTERNAL}); it is never stopped here;</li>
 *   <li>a single broker requested and Docker available: a Testcontainers {@link KafkaContainer}
 *       ({@link Kind#CONTAINER});</li>
 *   <li>otherwise an in-process KRaft cluster of combined broker+controller nodes
 *       ({@link Kind#IN_PROCESS}, {@link KafkaClusterTestKit}).</li>
 * </ol>
 * Tests that kill nodes call {@link #inProcess(int)}, which skips the first two choices.
 *
 * <p>Broker settings: replication factor of the internal topics and of new topics is
 * {@code min(3, brokers)}, their min ISR {@code 2} from 3 brokers on (else 1),
 * {@code group.initial.rebalance.delay.ms=0}, topics are never auto-created, and controlled shutdown
 * is off so that {@link #killNode(int)} looks like a crash to the rest of the cluster.
 *
 * <p>{@link #shared()} is one single-broker cluster per JVM, closed by a shutdown hook; its
 * {@link #close()} does nothing, so tests may use it in try-with-resources. Each test should use
 * fresh topic names and consumer groups on it. Thread-safe.
 */
public final class KafkaTestCluster implements AutoCloseable {

    /** Where the cluster comes from. */
    public enum Kind { EXTERNAL, CONTAINER, IN_PROCESS }

    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String CONTAINER_IMAGE = "apache/kafka:4.1.0";

    private static final Logger log = LoggerFactory.getLogger(KafkaTestCluster.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static KafkaTestCluster shared;

    private final Kind kind;
    private final String bootstrapServers;
    private final AutoCloseable resource;
    private final KafkaClusterTestKit testKit;
    private final boolean closeable;

    private KafkaTestCluster(Kind kind, String bootstrapServers, AutoCloseable resource,
                             KafkaClusterTestKit testKit, boolean closeable) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.resource = resource;
        this.testKit = testKit;
        this.closeable = closeable;
    }

    /** A one-broker cluster (see the class comment for where it comes from). */
    public static KafkaTestCluster start() {
        return start(1);
    }

    /** A cluster of {@code brokers} nodes (1..9); Docker is only used for one broker. */
    public static KafkaTestCluster start(int brokers) {
        requireBrokers(brokers);
        String external = System.getenv(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            log.info("Using the Kafka cluster at {} from {}", external, BOOTSTRAP_ENV);
            return new KafkaTestCluster(Kind.EXTERNAL, external.trim(), () -> { }, null, true);
        }
        if (brokers == 1 && DockerClientFactory.instance().isDockerAvailable()) {
            return startContainer();
        }
        return inProcess(brokers);
    }

    /** An in-process KRaft cluster of {@code brokers} combined nodes, whatever the environment says. */
    public static KafkaTestCluster inProcess(int brokers) {
        requireBrokers(brokers);
        long started = System.nanoTime();
        KafkaClusterTestKit kit = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(brokers)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            kit = build(nodes, brokerConfig(brokers));
            startKit(kit);
        } catch (Exception e) {
            if (kit != null) {
                closeAfterFailure(kit, e);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not start an in-process Kafka cluster of " + brokers + " nodes", e);
        }
        log.info("Started an in-process Kafka cluster of {} nodes at {} in {} ms",
                brokers, kit.bootstrapServers(), millisSince(started));
        return new KafkaTestCluster(Kind.IN_PROCESS, kit.bootstrapServers(), kit, kit, true);
    }

    /** A test kit of {@code nodes} with {@code config}, not started yet ({@link #startKit}). */
    static KafkaClusterTestKit build(TestKitNodes nodes, Map<String, ?> config) throws Exception {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        config.forEach(builder::setConfigProp);
        return builder.build();
    }

    /** Formats and starts a test kit's nodes, and waits until every broker is ready. */
    static void startKit(KafkaClusterTestKit kit) throws Exception {
        kit.format();
        startControllersThenBrokers(kit);
        kit.waitForReadyBrokers();
    }

    /*
     * Not KafkaClusterTestKit.startup(): it starts controllers and brokers all at once, and when the
     * broker of a combined node wins the race it starts the node's Raft client without the controller
     * endpoints. Followers then send UpdateRaftVoter with no listeners, the leader answers
     * INVALID_REQUEST and their Raft threads die (kafka 4.3.1): the quorum is left with one live
     * voter. KafkaRaftServer starts the controller first; so do we.
     */
    private static void startControllersThenBrokers(KafkaClusterTestKit kit) throws Exception {
        startAll(kit.controllers().values(), ControllerServer::startup);
        startAll(kit.brokers().values(), BrokerServer::startup);
    }

    private static <T> void startAll(Collection<T> servers, Consumer<T> startup) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(servers.size());
        try {
            List<Future<?>> started = new ArrayList<>();
            for (T server : servers) {
                started.add(executor.submit(() -> startup.accept(server)));
            }
            for (Future<?> future : started) {
                future.get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private static void closeAfterFailure(KafkaClusterTestKit kit, Exception failure) {
        try {
            kit.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** The one single-broker cluster of this JVM, started on first use. */
    public static synchronized KafkaTestCluster shared() {
        if (shared == null) {
            KafkaTestCluster owner = start(1);
            Runtime.getRuntime().addShutdownHook(new Thread(owner::closeQuietly, "kafka-test-cluster-shutdown"));
            shared = new KafkaTestCluster(owner.kind, owner.bootstrapServers, owner.resource, owner.testKit, false);
        }
        return shared;
    }

    public Kind kind() {
        return kind;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A new admin client on this cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()));
    }

    /** Ids of the nodes still running; in-process clusters only. */
    public Set<Integer> nodeIds() {
        return Set.copyOf(requireTestKit("nodeIds").brokers().entrySet().stream()
                .filter(e -> !e.getValue().isShutdown())
                .map(Map.Entry::getKey)
                .toList());
    }

    /** The node id of the active KRaft controller (the metadata quorum leader), for any kind of cluster. */
    public int activeControllerId() {
        try (Admin admin = admin()) {
            return admin.describeMetadataQuorum().quorumInfo()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).leaderId();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not describe the metadata quorum of " + bootstrapServers, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the broker and the controller of one node without a controlled shutdown: its partitions
     * lose their leader until the controller fences the node (broker session timeout). In-process only;
     * a killed node is not restarted. Let the internal topics exist first (run one transaction, commit one
     * offset): with replication factor 3 they cannot be created while a node is down.
     */
    public void killNode(int nodeId) {
        KafkaClusterTestKit kit = requireTestKit("killNode");
        BrokerServer broker = kit.brokers().get(nodeId);
        if (broker == null) {
            throw new IllegalArgumentException("no node " + nodeId + ", nodes are " + kit.brokers().keySet());
        }
        long started = System.nanoTime();
        broker.shutdown(Duration.ZERO);
        ControllerServer controller = kit.controllers().get(nodeId);
        if (controller != null) {
            controller.shutdown();
        }
        log.info("Killed Kafka node {} in {} ms", nodeId, millisSince(started));
    }

    /**
     * Stops the cluster if this object started it; the {@link #shared()} cluster stays up.
     *
     * @throws IllegalStateException if stopping failed, or if an in-process node met a fatal fault while
     *     it ran (the test kit records those instead of exiting)
     */
    @Override
    public void close() {
        if (!closeable) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the " + kind + " Kafka cluster at " + bootstrapServers
                    + " failed", e);
        }
    }

    private void closeQuietly() {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Closing the {} Kafka cluster at {} failed", kind, bootstrapServers, e);
        }
    }

    private KafkaClusterTestKit requireTestKit(String operation) {
        if (testKit == null) {
            throw new UnsupportedOperationException(operation + " needs an in-process cluster, but this one is "
                    + kind + " at " + bootstrapServers + ": start it with KafkaTestCluster.inProcess(n)");
        }
        return testKit;
    }

    private static KafkaTestCluster startContainer() {
        long started = System.nanoTime();
        KafkaContainer container = new KafkaContainer(CONTAINER_IMAGE)
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        container.start();
        log.info("Started Kafka container {} in {} ms", CONTAINER_IMAGE, millisSince(started));
        return new KafkaTestCluster(Kind.CONTAINER, container.getBootstrapServers(), container::stop, null, true);
    }

    static Map<String, Object> brokerConfig(int brokers) {
        String replicas = Integer.toString(Math.min(3, brokers));
        String minIsr = brokers >= 3 ? "2" : "1";
        return Map.ofEntries(
                Map.entry("offsets.topic.replication.factor", replicas),
                Map.entry("transaction.state.log.replication.factor", replicas),
                Map.entry("transaction.state.log.min.isr", minIsr),
                Map.entry("share.coordinator.state.topic.replication.factor", replicas),
                Map.entry("share.coordinator.state.topic.min.isr", minIsr),
                Map.entry("default.replication.factor", replicas),
                Map.entry("min.insync.replicas", minIsr),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("controlled.shutdown.enable", "false"),
                Map.entry("unstable.api.versions.enable", "false"),
                Map.entry("unstable.feature.versions.enable", "false"));
    }

    private static void requireBrokers(int brokers) {
        if (brokers < 1 || brokers > 9) {
            throw new IllegalArgumentException("brokers must be between 1 and 9, but was " + brokers);
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
