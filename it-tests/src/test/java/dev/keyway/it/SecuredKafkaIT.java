package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.client.MigrationsClient;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.KeywayAcls;
import dev.keyway.it.support.SecuredKafka;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.kafka.ClientProperties;
import dev.keyway.kafka.KafkaAccessDeniedException;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.AclCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyway on a secured Kafka: a SASL_SSL listener with SCRAM-SHA-512 and mutual TLS, KRaft's StandardAuthorizer
 * with no access unless an ACL grants it ({@link SecuredKafka}), and exactly the ACLs docs/OPERATIONS.md lists
 * ({@link KeywayAcls}). The coordinator, the worker and the command line run as processes configured only by
 * {@code KAFKA_CONFIG} (a client properties file) and {@code KAFKA_BOOTSTRAP_SERVERS}; a principal without WRITE on
 * the commands topic cannot start a migration and is told so, and a service lacking an ACL stops naming it.
 */
class SecuredKafkaIT {

    private static final int ROWS = 2_000;
    private static final String COORDINATOR = "keyway-coordinator";
    private static final String WORKER = "keyway-worker";
    private static final String OPERATOR = "operator";
    private static final String INTRUDER = "intruder";
    private static final String MIGRATION = TestMigrations.INCREMENT.name();
    private static final String ASKER = "alice@ops";

    @TempDir
    static Path shared;
    private static SecuredKafka kafka;

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);

    @TempDir
    Path dir;

    private final String prefix = "sec-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private final List<ServiceProcess> processes = new ArrayList<>();

    @BeforeAll
    static void startTheSecuredBroker() throws Exception {
        kafka = SecuredKafka.start(shared);
        kafka.createUsers(List.of(COORDINATOR, WORKER, OPERATOR, INTRUDER));
    }

    @AfterAll
    static void stopIt() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stopTheServices() throws InterruptedException {
        for (ServiceProcess p : processes) {
            p.close();
        }
    }

    @Test
    void onlyAnOperatorsPrincipalStartsAMigrationAndItAppliesEveryRowOnceThroughTheSecuredListener() throws Exception {
        List<AclBinding> intruders = KeywayAcls.operator(prefix, "User:" + INTRUDER).stream()
                .filter(a -> a.entry().operation() != AclOperation.WRITE).toList();
        assertEquals(3, intruders.size(), "the intruder may read the answers, the statuses and the history, as an operator");
        List<AclBinding> acls = new ArrayList<>(KeywayAcls.coordinator(prefix, "User:" + COORDINATOR));
        acls.addAll(KeywayAcls.worker(prefix, "User:" + WORKER));
        acls.addAll(KeywayAcls.operator(prefix, "User:" + OPERATOR));
        acls.addAll(intruders);
        kafka.grant(acls);

        start("coordinator", ServiceProcess.COORDINATOR, COORDINATOR);
        awaitTopics();
        start("worker", ServiceProcess.WORKER, WORKER);

        // the intruder names itself as the operator: requestedBy is self-declared, the principal is not
        ServiceProcess refused = cli("intruder-run", INTRUDER, "run", MIGRATION);
        int refusedCode = refused.await(60);
        String said = refused.output();
        assertNotEquals(0, refusedCode, said);
        assertTrue(said.contains("error: not authorized to write to topic " + prefix + "commands as User:intruder: an"
                + " operator must grant WRITE on it (docs/OPERATIONS.md)"), said);
        assertFalse(said.contains("\tat "), "no stack trace: " + said);
        try (KafkaGateway admin = adminGateway()) {
            assertEquals(0, admin.endOffset(prefix + "commands"), "no command reached the topic");
            assertFalse(new MigrationsClient(admin).statuses().containsKey(MIGRATION), "the migration was not started");
        }
        assertEquals(0, items.sql().itemsNotAt(0), "no row changed");

        ServiceProcess run = cli("operator-run", OPERATOR, "run", MIGRATION, "--wait");
        int code = run.await(180);
        assertEquals(0, code, run.output());
        assertEquals(0, items.sql().itemsNotAt(1), "every row was incremented exactly once");
        try (KafkaGateway admin = adminGateway()) {
            MigrationStatus done = new MigrationsClient(admin).statuses().get(MIGRATION);
            assertEquals(MigrationState.SUCCESS, done.state(), String.valueOf(done.failure().error()));
            assertEquals(ROWS, done.progress().processed());
            assertEquals(ASKER, done.run().requestedBy());
            assertNotNull(done.lastCommand());
            assertEquals(ASKER, done.lastCommand().requestedBy());
            assertEquals("run", done.lastCommand().command());
            assertEquals(1, admin.endOffset(prefix + "commands"), "the operator's one command");
        }
    }

    @Test
    void aWorkerWithoutReadOnTheTasksTopicStopsWithAnErrorNamingTheAcl() throws Exception {
        kafka.grant(KeywayAcls.worker(prefix, "User:" + WORKER).stream()
                .filter(a -> !(a.pattern().name().equals(prefix + "tasks") && a.entry().operation() == AclOperation.READ))
                .toList());
        try (KafkaGateway admin = adminGateway()) {
            admin.ensureTopics();
        }
        ServiceProcess worker = start("worker", ServiceProcess.WORKER, WORKER);
        int code = worker.await(90);
        String log = worker.output();
        assertNotEquals(0, code, log);
        assertTrue(log.contains("not authorized to read topic " + prefix + "tasks as User:keyway-worker: an operator must"
                + " grant READ on it (docs/OPERATIONS.md)"), log);
    }

    @Test
    void aWrongPasswordOrNoClientCertificateIsRefusedWithAClearError() throws Exception {
        Map<String, String> operator = ClientProperties.fromEnv(Map.of("KAFKA_CONFIG",
                kafka.clientConfig(OPERATOR).toString())).values();

        Map<String, String> wrongPassword = new HashMap<>(operator);
        wrongPassword.put("sasl.jaas.config", operator.get("sasl.jaas.config").replace(kafka.password(OPERATOR), "guess"));
        String sasl = assertThrows(KafkaAccessDeniedException.class, () -> connect(wrongPassword)).getMessage();
        assertTrue(sasl.startsWith("Kafka at " + kafka.bootstrapServers() + " refused the SASL login of User:operator:"),
                sasl);
        assertFalse(sasl.contains(kafka.password(OPERATOR)), sasl);

        Map<String, String> noCertificate = new HashMap<>(operator);
        Set.of("ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password")
                .forEach(noCertificate::remove);
        String tls = assertThrows(KafkaAccessDeniedException.class, () -> connect(noCertificate)).getMessage();
        assertTrue(tls.startsWith("the TLS handshake with Kafka at " + kafka.bootstrapServers() + " failed"), tls);
    }

    @Test
    void aCommandBeforeAnyCoordinatorMadeTheTopicsSaysToStartOne() throws Exception {
        kafka.grant(KeywayAcls.operator(prefix, "User:" + OPERATOR));
        KafkaSettings operator = KafkaSettings.fromEnv(Map.of("KAFKA_CONFIG", kafka.clientConfig(OPERATOR).toString(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "TOPIC_PREFIX", prefix));
        try (KafkaGateway gateway = KafkaGateway.connect(operator, Duration.ofSeconds(20))) {
            String m = assertThrows(IllegalStateException.class, () -> new MigrationsClient(gateway)
                    .send(Command.Run.of(MIGRATION), Duration.ofSeconds(20))).getMessage();
            assertTrue(m.startsWith("there is no topic " + prefix + "commands on Kafka at " + kafka.bootstrapServers()
                    + ": start a coordinator with TOPIC_PREFIX=" + prefix + " first"), m);
        }
    }

    /**
     * The kafka-acls.sh commands of docs/OPERATIONS.md, run with Kafka's own tool against the secured broker (for a
     * fresh prefix instead of {@code migrations.}), grant exactly the ACLs this test proved enough: the guide cannot
     * drift from what works.
     */
    @Test
    void theGuidesKafkaAclsCommandsGrantExactlyTheAclsThisTestRunsWith() throws Exception {
        Path adminConfig = dir.resolve("admin.properties");
        Files.writeString(adminConfig, kafka.adminClient().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        List<List<String>> commands = documentedAclCommands(Path.of("..", "docs", "OPERATIONS.md"));
        assertTrue(commands.size() >= 10, "the guide's kafka-acls.sh commands: " + commands);
        Exit.setExitProcedure((status, message) -> {
            throw new AssertionError("kafka-acls.sh failed (exit " + status + "): " + message);
        });
        try {
            for (List<String> args : commands) {
                List<String> run = new ArrayList<>();
                for (int i = 0; i < args.size(); i++) {
                    String a = args.get(i);
                    if (a.equals("--bootstrap-server")) {
                        run.addAll(List.of(a, kafka.adminClient().get("bootstrap.servers")));
                        i++;
                    } else if (a.equals("--command-config")) {
                        run.addAll(List.of(a, adminConfig.toString()));
                        i++;
                    } else {
                        run.add(a.startsWith("migrations.") ? prefix + a.substring("migrations.".length()) : a);
                    }
                }
                AclCommand.main(run.toArray(new String[0]));
            }
        } finally {
            Exit.resetExitProcedure();
        }
        Set<AclBinding> expected = new HashSet<>(KeywayAcls.coordinator(prefix, "User:" + COORDINATOR));
        expected.addAll(KeywayAcls.worker(prefix, "User:" + WORKER));
        expected.addAll(KeywayAcls.operator(prefix, "User:alice"));
        expected.addAll(KeywayAcls.statusReader(prefix, "User:keyway-status"));
        // the console is an operator whose users act through it
        expected.addAll(KeywayAcls.operator(prefix, "User:keyway-console"));
        try (Admin admin = kafka.admin()) {
            Set<AclBinding> granted = admin.describeAcls(AclBindingFilter.ANY).values().get().stream()
                    .filter(a -> a.pattern().name().startsWith(prefix)).collect(Collectors.toSet());
            assertEquals(expected, granted);
        }
    }

    /** The kafka-acls.sh lines of the guide's shell block, with its variables ({@code $ACLS}, ...) filled in. */
    private static List<List<String>> documentedAclCommands(Path guide) throws Exception {
        String text = Files.readString(guide);
        int start = text.indexOf("```bash\nACLS=");
        assertTrue(start >= 0, "docs/OPERATIONS.md has no kafka-acls.sh block starting with ACLS=");
        String block = text.substring(start + "```bash\n".length(), text.indexOf("```", start + 3));
        Map<String, String> vars = new HashMap<>();
        List<List<String>> commands = new ArrayList<>();
        for (String line : block.split("\n")) {
            line = line.trim();
            java.util.regex.Matcher assignment = java.util.regex.Pattern.compile("^([A-Z]+)=\"(.*)\"$").matcher(line);
            if (assignment.matches()) {
                vars.put(assignment.group(1), assignment.group(2));
            } else if (line.startsWith("$")) {
                for (Map.Entry<String, String> v : vars.entrySet()) {
                    line = line.replace("$" + v.getKey() + " ", v.getValue() + " ");
                }
                List<String> args = new ArrayList<>(List.of(line.split("\\s+")));
                assertEquals("kafka-acls.sh", args.remove(0), line);
                commands.add(args);
            }
        }
        return commands;
    }

    private void connect(Map<String, String> client) {
        KafkaSettings s = new KafkaSettings(kafka.bootstrapServers(), prefix, 1, new ClientProperties(client));
        KafkaGateway.connect(s, Duration.ofSeconds(20)).close();
    }

    /** The test's own view, as the super user on the internal listener. */
    private KafkaGateway adminGateway() {
        Map<String, String> client = kafka.adminClient();
        return KafkaGateway.connect(new KafkaSettings(client.get("bootstrap.servers"), prefix, 12,
                new ClientProperties(client)), Duration.ofSeconds(20));
    }

    private ServiceProcess start(String name, String main, String user) throws Exception {
        Map<String, String> env = env(user);
        env.put("WORKER_NAME", name);
        ServiceProcess p = ServiceProcess.start(name, main, env, dir.resolve("logs"));
        processes.add(p);
        return p;
    }

    private ServiceProcess cli(String name, String user, String... args) throws Exception {
        Map<String, String> env = env(user);
        env.put("KEYWAY_REQUESTED_BY", ASKER);
        ServiceProcess p = ServiceProcess.start(name, "dev.keyway.cli.KeywayCli", env, dir.resolve("logs"), args);
        processes.add(p);
        return p;
    }

    /** What a deployment gives a component: the client properties file, the bootstrap servers, the prefix. */
    private Map<String, String> env(String user) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_CONFIG", kafka.clientConfig(user).toString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("TOPIC_PREFIX", prefix);
        env.put("TASK_PARTITIONS", "4");
        env.put("JDBC_URL", items.options().jdbcUrl());
        env.put("JDBC_USER", items.options().user());
        env.put("JDBC_PASSWORD", items.options().password());
        return env;
    }

    /** Waits until the coordinator created the four topics (the worker may not: it has no CREATE). */
    private void awaitTopics() throws Exception {
        Set<String> four = Set.of(prefix + "commands", prefix + "tasks", prefix + "events", prefix + "status");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (Admin admin = kafka.admin()) {
            while (!admin.listTopics().names().get().containsAll(four)) {
                ServiceProcess coordinator = processes.get(0);
                if (!coordinator.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the coordinator did not create the topics: " + coordinator.output());
                }
                Thread.sleep(100);
            }
        }
    }
}
