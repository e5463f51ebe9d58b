package dev.keyway.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A one-node in-process KRaft cluster secured as a production one would be, for the tests of Keyway on it:
 * <ul>
 *   <li>{@code SECURED}: the clients' listener ({@link #bootstrapServers()}), SASL_SSL with SCRAM-SHA-512 and
 *       mutual TLS (a client must present a certificate the test CA signed, and log in as a SCRAM user);</li>
 *   <li>{@code INTERNAL}: SSL with mutual TLS, the principal being the certificate's ({@code User:CN=...}): between
 *       brokers, and for the test's administrator {@code CN=keyway-admin} ({@link #admin()}). SCRAM users can only be
 *       created once the broker runs, so neither the broker nor its administrator may depend on one;</li>
 *   <li>{@code CONTROLLER}: SSL with mutual TLS too, so that no unauthenticated principal is a super user.</li>
 * </ul>
 * The authorizer is KRaft's {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}; the super
 * users are the broker's and the administrator's certificates. Certificates come from {@link TestCertificates}.
 * Close it to stop the node.
 */
public final class SecuredKafka implements AutoCloseable {

    public static final String BROKER = "kafka-broker";
    public static final String ADMIN = "keyway-admin";
    /** The certificate every SCRAM user's client presents: with SASL_SSL the principal is the SASL user's. */
    public static final String CLIENT = "keyway-client";
    private static final ListenerName SECURED = new ListenerName("SECURED");
    private static final ListenerName INTERNAL = new ListenerName("INTERNAL");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit kit;
    private final TestCertificates certificates;
    private final Path dir;
    private final Map<String, String> passwords = new HashMap<>();

    private SecuredKafka(KafkaClusterTestKit kit, TestCertificates certificates, Path dir) {
        this.kit = kit;
        this.certificates = certificates;
        this.dir = dir;
    }

    /** Makes the certificates in {@code dir} and starts the node. */
    public static SecuredKafka start(Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("tls"), List.of(BROKER, ADMIN, CLIENT));
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                // the test kit takes PLAINTEXT listeners only: their protocols come from brokerSecurity() instead
                .setBrokerListenerName(SECURED)
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        Map<String, Object> config = new HashMap<>(KafkaTestCluster.brokerConfig(1));
        config.putAll(brokerSecurity(certs));
        KafkaClusterTestKit kit = KafkaTestCluster.build(nodes, config);
        try {
            KafkaTestCluster.startKit(kit);
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new SecuredKafka(kit, certs, dir);
    }

    /** The broker's security settings: what an operator's {@code server.properties} would hold. */
    static Map<String, String> brokerSecurity(TestCertificates certs) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("listeners", "SECURED://localhost:0,INTERNAL://localhost:0,CONTROLLER://localhost:0");
        c.put("listener.security.protocol.map", "SECURED:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
        c.put("inter.broker.listener.name", "INTERNAL");
        c.put("controller.listener.names", "CONTROLLER");
        c.put("ssl.keystore.type", "PKCS12");
        c.put("ssl.keystore.location", certs.keystore(BROKER).toString());
        c.put("ssl.keystore.password", certs.password());
        c.put("ssl.key.password", certs.password());
        c.put("ssl.truststore.type", "PKCS12");
        c.put("ssl.truststore.location", certs.truststore().toString());
        c.put("ssl.truststore.password", certs.password());
        c.put("ssl.client.auth", "required");
        // a SASL_SSL listener ignores the broker-wide ssl.client.auth: only the listener's own turns mutual TLS on
        c.put("listener.name.secured.ssl.client.auth", "required");
        c.put("listener.name.secured.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        c.put("listener.name.secured.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        c.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        c.put("allow.everyone.if.no.acl.found", "false");
        c.put("super.users", "User:CN=" + BROKER + ";User:CN=" + ADMIN);
        return c;
    }

    /** The SASL_SSL listener, for Keyway's clients. */
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** The administrator's client properties: a super user, by its certificate, on the INTERNAL listener. */
    public Map<String, String> adminClient() {
        BrokerServer broker = kit.brokers().values().iterator().next();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("bootstrap.servers", "localhost:" + broker.boundPort(INTERNAL));
        c.put("security.protocol", "SSL");
        c.putAll(tls(ADMIN));
        return c;
    }

    /** A new administrator's client; the caller closes it. */
    public Admin admin() {
        Map<String, Object> c = new HashMap<>(adminClient());
        c.put("default.api.timeout.ms", (int) TIMEOUT.toMillis());
        return Admin.create(c);
    }

    /**
     * Creates the SCRAM-SHA-512 users (random passwords) and waits until the broker knows them.
     */
    public void createUsers(Collection<String> users) throws Exception {
        try (Admin admin = admin()) {
            List<UserScramCredentialUpsertion> upserts = users.stream().map(u -> {
                passwords.put(u, "pw-" + UUID.randomUUID());
                return new UserScramCredentialUpsertion(u, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        passwords.get(u));
            }).collect(Collectors.toList());
            admin.alterUserScramCredentials(List.copyOf(upserts)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitUntil(() -> admin.describeUserScramCredentials(List.copyOf(users)).all().get().keySet()
                    .containsAll(users), "the SCRAM users " + users);
        }
    }

    /** Creates the ACLs and waits until the broker's authorizer has them. */
    public void grant(Collection<AclBinding> acls) throws Exception {
        try (Admin admin = admin()) {
            admin.createAcls(List.copyOf(acls)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitUntil(() -> admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls),
                    acls.size() + " ACLs");
        }
    }

    /**
     * Writes a client properties file for {@code user} (one of {@link #createUsers}), as for Kafka's tools'
     * {@code --command-config}: SASL_SSL, SCRAM-SHA-512, the test CA as truststore and the client certificate.
     */
    public Path clientConfig(String user) throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("security.protocol", "SASL_SSL");
        c.put("sasl.mechanism", "SCRAM-SHA-512");
        c.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password(user) + "\";");
        c.putAll(tls(CLIENT));
        // a fresh JVM's first TLS handshake on a busy 2-core machine can take longer than Keyway's 10 s default
        c.put("default.api.timeout.ms", "60000");
        Path file = dir.resolve(user + ".properties");
        Files.writeString(file, c.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "# " + user + "'s Kafka client properties\n", "\n")));
        return file;
    }

    public String password(String user) {
        String p = passwords.get(user);
        if (p == null) {
            throw new IllegalArgumentException("no SCRAM user " + user + ": create it first");
        }
        return p;
    }

    public TestCertificates certificates() {
        return certificates;
    }

    /** Client TLS settings presenting the certificate of {@code name}. */
    public Map<String, String> tls(String name) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("ssl.truststore.type", "PKCS12");
        c.put("ssl.truststore.location", certificates.truststore().toString());
        c.put("ssl.truststore.password", certificates.password());
        c.put("ssl.keystore.type", "PKCS12");
        c.put("ssl.keystore.location", certificates.keystore(name).toString());
        c.put("ssl.keystore.password", certificates.password());
        c.put("ssl.key.password", certificates.password());
        return c;
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not reach the broker within " + TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }
}
