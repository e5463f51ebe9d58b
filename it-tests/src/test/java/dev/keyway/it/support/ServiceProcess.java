package dev.keyway.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A coordinator, worker or tool running as its own OS process, with the test classpath. */
public final class ServiceProcess implements AutoCloseable {

    public static final String COORDINATOR = "dev.keyway.coordinator.CoordinatorMain";
    public static final String WORKER = "dev.keyway.worker.WorkerMain";

    /**
     * JVM options of service processes: small and quick to start for tests; the benchmark sets
     * {@code -Dkeyway.service.jvm=...} to run the services as production does (see {@code bin/migrate}).
     */
    private static final String JVM_OPTIONS = System.getProperty("keyway.service.jvm",
            "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with the environment; output goes to {@code logDir/name.log} (replaced). */
    public static ServiceProcess start(String name, String mainClass, Map<String, String> env, Path logDir,
                                       String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.util.List.of(JVM_OPTIONS.trim().split("\\s+")));
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(java.util.List.of(args));
        return command(name, cmd, env, logDir);
    }

    /**
     * Starts a command (e.g. the distribution's {@code bin/keyway}) with the environment and {@code JAVA_OPTS} set to
     * the services' JVM options; output goes to {@code logDir/name.log} (replaced).
     */
    public static ServiceProcess command(String name, java.util.List<String> command, Map<String, String> env,
                                         Path logDir) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            pb.environment().put("JAVA_OPTS", JVM_OPTIONS);
            pb.environment().putAll(env);
            return new ServiceProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP ({@code paused}) or SIGCONT: the process freezes where it is, holding what it holds. */
    public void pause(boolean paused) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", String.valueOf(process.pid()))
                .inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + (paused ? "-STOP " : "-CONT ") + process.pid() + " failed");
        }
    }

    /** SIGTERM: the service stops its pipeline and leaves its consumer group. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Waits for a tool to finish; returns its exit code. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within " + seconds + " s; see " + log);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    public long pid() {
        return process.pid();
    }

    /** The process's peak resident memory (VmHWM) in MiB, or -1 when it cannot be read. */
    public long peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
