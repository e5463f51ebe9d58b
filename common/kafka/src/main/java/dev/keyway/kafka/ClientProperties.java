package dev.keyway.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Kafka client properties a team's cluster needs (security protocol, SASL, TLS, timeouts), given to every client
 * Keyway makes: the coordinator's, the workers' and the CLI's. Read from a client properties file
 * ({@code KAFKA_CONFIG}, the format of Kafka's own tools' {@code --command-config}) and from
 * {@code KAFKA_}-prefixed environment variables, which win ({@code KAFKA_SECURITY_PROTOCOL=SASL_SSL} is
 * {@code security.protocol}; a double underscore stands for an underscore). Keyway's own settings that the
 * exactly-once protocol needs (serializers, {@code isolation.level}, {@code enable.idempotence}, {@code acks},
 * transactional ids, group ids, {@code enable.auto.commit}) cannot be overridden. {@link #toString()} never shows
 * a secret's value.
 */
public record ClientProperties(Map<String, String> values) {

    /** Environment variables of Kafka's own scripts, and Keyway's, that are not client properties. */
    private static final Set<String> NOT_PROPERTIES = Set.of("KAFKA_CONFIG", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HEAP_OPTS",
            "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS",
            "KAFKA_DEBUG", "KAFKA_HOME", "KAFKA_LOG_DIR");
    private static final Pattern SECRET = Pattern.compile("password|jaas|secret|token|credential|\\.key$|key\\.pem");

    public ClientProperties {
        values = Map.copyOf(values);
    }

    public static ClientProperties none() {
        return new ClientProperties(Map.of());
    }

    /**
     * From {@code KAFKA_CONFIG} (a properties file; missing or unreadable is an error naming it) and the
     * {@code KAFKA_}-prefixed variables of {@code env}.
     */
    public static ClientProperties fromEnv(Map<String, String> env) {
        Map<String, String> all = new TreeMap<>();
        String file = env.get("KAFKA_CONFIG");
        if (file != null && !file.isBlank()) {
            all.putAll(read(Path.of(file.trim())));
        }
        env.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !NOT_PROPERTIES.contains(name) && name.length() > "KAFKA_".length()) {
                all.put(property(name), value);
            }
        });
        return new ClientProperties(all);
    }

    /** {@code KAFKA_SASL_JAAS_CONFIG} → {@code sasl.jaas.config}; {@code __} → {@code _}. */
    static String property(String envName) {
        return envName.substring("KAFKA_".length()).toLowerCase(Locale.ROOT)
                .replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    private static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("KAFKA_CONFIG names " + file + ", which is not a file: give the path of a"
                    + " Kafka client properties file (as for kafka-topics.sh --command-config)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the Kafka client properties in " + file + " (KAFKA_CONFIG): "
                    + e.getMessage(), e);
        }
        return p.stringPropertyNames().stream().collect(Collectors.toMap(k -> k, k -> p.getProperty(k).trim()));
    }

    /** The bootstrap servers the properties give, or null. */
    public String bootstrapServers() {
        return values.get("bootstrap.servers");
    }

    /** Whether a property's value is a secret, never printed. */
    public static boolean isSecret(String property) {
        return SECRET.matcher(property.toLowerCase(Locale.ROOT)).find();
    }

    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? "[redacted]" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
