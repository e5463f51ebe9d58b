package dev.keyway.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A test certificate authority and certificates it signed, made with the JDK's {@code keytool} in a directory: a
 * truststore holding the CA ({@link #truststore()}) and, per name, a PKCS12 keystore with the name's key and its
 * chain ({@link #keystore}), subject {@code CN=name}, valid for {@code localhost} and {@code 127.0.0.1} (so it serves
 * a broker as well as a client: Kafka clients check the broker's host name by default). One random password for
 * every store and key ({@link #password()}). EC keys (P-256): quick to make. Valid for two days.
 */
public final class TestCertificates {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Makes the CA, the truststore and one keystore per name in {@code dir}. */
    public static TestCertificates create(Path dir, List<String> names) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir, "pw-" + UUID.randomUUID());
        c.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=keyway-test-ca", "-ext", "bc:c", "-validity", "2",
                "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12", "-keystore", c.file("ca.p12"),
                "-storepass", c.password);
        c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", c.file("ca.p12"), "-storepass", c.password,
                "-file", c.file("ca.pem"));
        c.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", c.file("ca.pem"), "-storetype", "PKCS12",
                "-keystore", c.file("truststore.p12"), "-storepass", c.password);
        // each certificate is four keytool runs in a row; two at once use both cores
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Void>> made = new ArrayList<>();
            for (String name : names) {
                made.add(pool.submit(() -> {
                    c.signed(name);
                    return null;
                }));
            }
            for (Future<Void> f : made) {
                f.get(5, TimeUnit.MINUTES);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not make the test certificates in " + dir, e);
        } finally {
            pool.shutdownNow();
        }
        return c;
    }

    /** The PKCS12 truststore holding the test CA. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The PKCS12 keystore of {@code name}: its key and the chain {@code CN=name} ← the test CA. */
    public Path keystore(String name) {
        return dir.resolve(name + ".p12");
    }

    /** The password of every store and key. */
    public String password() {
        return password;
    }

    private void signed(String name) throws IOException, InterruptedException {
        String keystore = keystore(name).toString();
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-validity", "2", "-keyalg", "EC",
                "-groupname", "secp256r1", "-storetype", "PKCS12", "-keystore", keystore, "-storepass", password);
        keytool("-certreq", "-alias", name, "-keystore", keystore, "-storepass", password, "-file", file(name + ".csr"));
        keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-storepass", password, "-rfc",
                "-infile", file(name + ".csr"), "-outfile", file(name + ".pem"), "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth,clientAuth");
        // the reply with its whole chain, so the keystore holds the chain up to the CA
        Files.writeString(dir.resolve(name + "-chain.pem"),
                Files.readString(dir.resolve(name + ".pem")) + Files.readString(dir.resolve("ca.pem")));
        keytool("-importcert", "-noprompt", "-alias", name, "-file", file(name + "-chain.pem"), "-keystore", keystore,
                "-storepass", password);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "keytool", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish within " + TOOL_TIMEOUT.toSeconds() + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args).replace(password, "***") + " failed (exit "
                    + p.exitValue() + "): " + Files.readString(out));
        }
        Files.delete(out);
    }
}
