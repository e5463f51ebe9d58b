package dev.keyway.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The standalone Maven project a user writes ({@code docs/user-project}, shown in full in
 * {@code docs/WRITING-MIGRATIONS.md}), copied out of this repository and built with plain {@code mvn}, outside the
 * reactor, as a user would build it: against the Keyway artifacts of the local Maven repository, offline.
 *
 * <p>The build's settings come from system properties that the it-tests' surefire configuration sets:
 * {@code keyway.sourceRoot} (this repository), {@code keyway.version}, {@code keyway.localRepository} and
 * {@code keyway.mavenHome} (the Maven running the it-tests; {@code mvn} on the PATH when unset).
 */
public final class UserProject {

    /** The longest a build may take: it compiles, runs the project's own harness tests on H2, and jars. */
    public static final long BUILD_SECONDS = 300;

    private final Path dir;

    private UserProject(Path dir) {
        this.dir = dir;
    }

    /** This repository's root. */
    public static Path sourceRoot() {
        return Path.of(property("keyway.sourceRoot")).toAbsolutePath().normalize();
    }

    /** The template in this repository. */
    public static Path template() {
        return sourceRoot().resolve("docs").resolve("user-project");
    }

    /** The template's files (no build output), relative to it, in name order. */
    public static List<Path> templateFiles() throws IOException {
        Path template = template();
        try (Stream<Path> files = Files.walk(template)) {
            return files.filter(Files::isRegularFile).map(template::relativize)
                    .filter(f -> !f.startsWith("target")).sorted().toList();
        }
    }

    /** A copy of the template in {@code dir}. */
    public static UserProject copyTo(Path dir) throws IOException {
        for (Path f : templateFiles()) {
            Path to = dir.resolve(f.toString());
            Files.createDirectories(to.getParent());
            Files.copy(template().resolve(f), to, StandardCopyOption.REPLACE_EXISTING);
        }
        return new UserProject(dir);
    }

    /**
     * Runs {@code mvn -B -o package} in the copy (compile, the project's tests, jar) and returns the jar; throws with
     * the end of the build's output when it fails.
     */
    public Path mvnPackage() throws IOException, InterruptedException {
        String version = property("keyway.version");
        Path repo = Path.of(property("keyway.localRepository"));
        Path installed = repo.resolve("dev/keyway/keyway-testing/" + version + "/keyway-testing-" + version + ".jar");
        if (!Files.isRegularFile(installed)) {
            throw new IllegalStateException(installed + " is missing: the user's project builds against the installed"
                    + " artifacts; run mvn install (not only verify) from the repository's root first");
        }
        List<String> cmd = new ArrayList<>(List.of(mvn(), "-B", "-o", "-Dkeyway.version=" + version,
                "-Dmaven.repo.local=" + repo, "package"));
        Path log = dir.resolve("build.log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(BUILD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + BUILD_SECONDS
                    + " s; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " in " + dir + " failed (exit " + p.exitValue()
                    + "):\n" + tail(log, 60));
        }
        try (Stream<Path> jars = Files.list(dir.resolve("target"))) {
            return jars.filter(f -> f.getFileName().toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the build made no jar in " + dir.resolve("target")));
        }
    }

    /** What the build's surefire run reported for one test class ({@code target/surefire-reports/NAME.txt}). */
    public String testReport(String testClass) throws IOException {
        return Files.readString(dir.resolve("target").resolve("surefire-reports").resolve(testClass + ".txt"));
    }

    private static String mvn() {
        String home = System.getProperty("keyway.mavenHome");
        if (home == null || home.isBlank() || home.contains("${")) {
            return "mvn";
        }
        return Path.of(home, "bin", "mvn").toString();
    }

    private static String tail(Path log, int lines) throws IOException {
        List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank() || v.contains("${")) {
            throw new IllegalStateException("system property " + name + " is not set: run this test through Maven"
                    + " (the it-tests' surefire configuration sets it)");
        }
        return v;
    }
}
