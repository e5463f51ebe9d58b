package dev.keyway.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.KafkaUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (combined KRaft broker and controller) as its own OS process, for
 * the demo and {@code bin/migrate kafka start|stop}.
 *
 * <p>Everything lives in one data directory: {@code server.properties}, the logs under {@code logs/},
 * {@code cluster.id}, {@code broker.pid} and the broker's output in {@code broker.log}. The directory
 * is formatted once; later starts reuse it and its topics. The broker outlives the JVM that started it
 * until {@link #stop()} or {@link #stop(Path)}. The classpath given to {@link #start} must hold
 * {@code org.apache.kafka:kafka_2.13} and an slf4j binding (Kafka 4 brings slf4j-api without one).
 *
 * <p>Thread-safe; every method blocks until its effect is visible or its deadline passes.
 */
public final class LocalKafka implements AutoCloseable {

    /** How long {@link #start} waits for the broker to answer. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #stop} waits for a clean shutdown before it kills the broker. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);
    private static final String NODE_ID = "1";
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final int EXCERPT_ERRORS = 12;
    private static final int EXCERPT_LINES = 20;
    private static final int EXCERPT_BYTES = 1024 * 1024;
    private static final List<String> BROKER_JVM = List.of(
            "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS");

    private final String bootstrapServers;
    private final ProcessHandle process;
    private final Path dataDir;

    private LocalKafka(String bootstrapServers, ProcessHandle process, Path dataDir) {
        this.bootstrapServers = bootstrapServers;
        this.process = process;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker on {@code localhost:port} (clients) and {@code localhost:controllerPort} (KRaft),
     * formatting {@code dataDir} first if it is new, and waits until it answers (at most
     * {@link #START_TIMEOUT}). When {@code dataDir} already has a running broker on {@code port}, returns
     * that one.
     *
     * @throws IllegalStateException if a port is taken, or the broker exits or does not answer in time;
     *     the message then carries the errors and last lines this start wrote to {@code broker.log}
     */
    public static LocalKafka start(Path dataDir, int port, int controllerPort, String classpath) {
        Path dir = dataDir.toAbsolutePath();
        String bootstrap = "localhost:" + port;
        Optional<ProcessHandle> running = recorded(dir);
        if (running.isPresent()) {
            if (reachable(bootstrap, Duration.ofSeconds(5))) {
                log.info("Kafka broker already running at {} (pid {})", bootstrap, running.get().pid());
                return new LocalKafka(bootstrap, running.get(), dir);
            }
            throw new IllegalStateException("a Kafka broker from " + dir + " is already running (pid "
                    + running.get().pid() + ") but not at " + bootstrap + ": stop it with bin/migrate kafka stop");
        }
        for (int taken : new int[] {port, controllerPort}) {
            if (accepts("localhost:" + taken, POLL)) {
                throw new IllegalStateException("localhost:" + taken + " is already taken by another program: "
                        + "choose other ports, or stop what listens there");
            }
        }
        try {
            Files.createDirectories(dir);
            Path config = writeConfig(dir, port, controllerPort);
            formatOnce(dir, config, classpath);
            return launch(dir, config, classpath, bootstrap);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a Kafka broker in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting " + dir, e);
        }
    }

    /**
     * Stops the broker recorded in {@code dataDir/broker.pid}, if it still runs: a clean shutdown first,
     * killed after {@link #STOP_TIMEOUT}. Does nothing when there is no such broker.
     *
     * @return whether a broker was running there and was stopped
     */
    public static boolean stop(Path dataDir) {
        Path dir = dataDir.toAbsolutePath();
        Optional<ProcessHandle> broker = recorded(dir);
        broker.ifPresent(LocalKafka::terminate);
        deleteIfExists(dir.resolve("broker.pid"));
        return broker.isPresent();
    }

    /** Whether a Kafka cluster answers at {@code bootstrap} within {@code timeout}. */
    public static boolean reachable(String bootstrap, Duration timeout) {
        // a plain connect first: an admin client facing a closed port logs a warning per retry
        if (!accepts(bootstrap, timeout)) {
            return false;
        }
        return answers(bootstrap, timeout);
    }

    /** {@code localhost:port}, for clients. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's OS process id. */
    public long pid() {
        return process.pid();
    }

    /** Stops this broker (see {@link #stop(Path)}). */
    public void stop() {
        terminate(process);
        deleteIfExists(dataDir.resolve("broker.pid"));
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private static Path writeConfig(Path dir, int port, int controllerPort) throws IOException {
        Path logs = dir.resolve("logs");
        String config = String.join("\n",
                "# written by Keyway's LocalKafka on each start",
                "process.roles=broker,controller",
                "node.id=" + NODE_ID,
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + logs,
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        Path file = dir.resolve("server.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    private static void formatOnce(Path dir, Path config, String classpath)
            throws IOException, InterruptedException {
        if (Files.exists(dir.resolve("logs").resolve("meta.properties"))) {
            return;
        }
        String clusterId = clusterId(dir);
        Path output = dir.resolve("format.log");
        Process format = new ProcessBuilder(javaCommand(classpath, List.of(),
                // "--cluster-id=ID" in one argument: an id that starts with '-' is not read as an option
                "kafka.tools.StorageTool", "format", "--standalone", "--cluster-id=" + clusterId, "-c", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting " + dir + " took over " + FORMAT_TIMEOUT.toSeconds() + " s");
        }
        int exit = format.exitValue();
        if (exit != 0) {
            throw new IllegalStateException("formatting " + dir + " failed (exit " + exit + "):\n"
                    + excerpt(output, 0));
        }
    }

    private static String clusterId(Path dir) throws IOException {
        Path file = dir.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = newClusterId();
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    /**
     * A new cluster id in Kafka's format: 16 random bytes, URL-safe base64 without padding; like Kafka's own
     * {@code Uuid.randomUuid()}, never one that starts with '-' (1 in 64 would), which command lines read as an option.
     */
    public static String newClusterId() {
        while (true) {
            java.util.UUID u = java.util.UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                    .putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static LocalKafka launch(Path dir, Path config, String classpath, String bootstrap) throws IOException {
        Path output = dir.resolve("broker.log");
        long logStart = Files.exists(output) ? Files.size(output) : 0;
        long started = System.nanoTime();
        Process broker = new ProcessBuilder(javaCommand(classpath, BROKER_JVM, "kafka.Kafka", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                .start();
        Files.writeString(dir.resolve("broker.pid"), broker.pid() + "\n", StandardCharsets.UTF_8);
        try {
            awaitReady(broker, bootstrap, output, logStart);
        } catch (RuntimeException e) {
            terminate(broker.toHandle());
            deleteIfExists(dir.resolve("broker.pid"));
            throw e;
        }
        log.info("Kafka broker ready at {} (pid {}) in {} ms", bootstrap, broker.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new LocalKafka(bootstrap, broker.toHandle(), dir);
    }

    private static void awaitReady(Process broker, String bootstrap, Path output, long logStart) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (broker.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the Kafka broker exited with " + broker.exitValue()
                            + " before it was ready; from " + output + ":\n" + excerpt(output, logStart));
                }
                // a Kafka client only once the port is open: until then it logs a warning per retry
                if (accepts(bootstrap, POLL) && answers(bootstrap, ADMIN_TIMEOUT)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker at " + bootstrap, e);
        }
        throw new IllegalStateException("the Kafka broker at " + bootstrap + " was not ready within "
                + START_TIMEOUT.toSeconds() + " s; from " + output + ":\n" + excerpt(output, logStart));
    }

    private static boolean answers(String bootstrap, Duration timeout) {
        try (KafkaGateway kafka = KafkaGateway.connect(KafkaSettings.defaults().withBootstrapServers(bootstrap), timeout)) {
            return true;
        } catch (KafkaUnavailableException e) {
            return false;
        }
    }

    /** Whether every server of {@code bootstrap} ({@code host:port,...}) accepts a TCP connection. */
    private static boolean accepts(String bootstrap, Duration timeout) {
        for (String server : bootstrap.split(",")) {
            int colon = server.lastIndexOf(':');
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(server.substring(0, colon).trim(),
                        Integer.parseInt(server.substring(colon + 1).trim())), (int) timeout.toMillis());
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    private static Optional<ProcessHandle> recorded(Path dir) {
        Path pidFile = dir.resolve("broker.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            // a recycled pid may belong to another program: only a java process counts as our broker
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(LocalKafka::isJava);
        } catch (IOException | NumberFormatException e) {
            log.warn("Ignoring unreadable {}", pidFile, e);
            return Optional.empty();
        }
    }

    private static boolean isJava(ProcessHandle handle) {
        return handle.info().command().map(c -> Paths.get(c).getFileName().toString().startsWith("java"))
                .orElse(true);
    }

    private static void terminate(ProcessHandle broker) {
        if (!broker.isAlive()) {
            return;
        }
        broker.destroy();
        if (!exited(broker, STOP_TIMEOUT)) {
            log.warn("Kafka broker (pid {}) still running after {} s: killing it", broker.pid(),
                    STOP_TIMEOUT.toSeconds());
            broker.destroyForcibly();
            exited(broker, STOP_TIMEOUT);
        }
    }

    private static boolean exited(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static List<String> javaCommand(String classpath, List<String> jvmOptions, String main, String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, main));
        command.addAll(List.of(args));
        return command;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(c -> Paths.get(c).getFileName().toString().startsWith("java"))
                .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The errors and the last lines that {@code file} got from offset {@code from} on. */
    private static String excerpt(Path file, long from) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = Math.max(from, channel.size() - EXCERPT_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, channel.size() - start));
            channel.read(buffer, start);
            List<String> lines = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
                    .lines().toList();
            List<String> errors = lines.stream()
                    .filter(line -> line.contains(" ERROR ") || line.contains("FATAL") || line.startsWith("Caused by"))
                    .limit(EXCERPT_ERRORS)
                    .toList();
            List<String> last = lines.subList(Math.max(0, lines.size() - EXCERPT_LINES), lines.size());
            return errors.isEmpty() || errors.size() == lines.size()
                    ? String.join("\n", last)
                    : String.join("\n", errors) + "\n...\n" + String.join("\n", last);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete {}", file, e);
        }
    }
}
