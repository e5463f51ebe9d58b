package dev.keyway.kafka.internal;

import dev.keyway.kafka.KafkaAccessDeniedException;
import dev.keyway.kafka.KafkaSettings;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Turns Kafka's authentication and authorization errors into a {@link KafkaAccessDeniedException} that says what
 * was refused, for which principal, and what an operator must grant: "not authorized to write to topic
 * p.commands as User:intruder: an operator must grant WRITE on it (docs/OPERATIONS.md)". Kafka's own exceptions
 * say neither the principal nor, for a topic, the operation; the principal is read from the client properties
 * (the SASL user name of {@code sasl.jaas.config}, else the certificate of {@code ssl.keystore.location}), the
 * operation from what the call was doing ({@link Attempt}). Immutable and thread-safe.
 */
final class AccessErrors {

    static final String DOCS = "docs/OPERATIONS.md";
    private static final Pattern JAAS_USERNAME = Pattern.compile("\\busername\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;\"]+))");
    private static final int MAX_DETAIL = 300;

    /**
     * What a client tried when Kafka refused it: the topics it read and wrote (a topic of neither, in a
     * {@link #process} attempt, is one it wrote), the topics it created, its consumer group and the prefix of its
     * transactional ids.
     */
    record Attempt(Set<String> reads, Set<String> writes, Set<String> creates, String group, String transactionalIds) {

        Attempt {
            reads = Set.copyOf(reads);
            writes = Set.copyOf(writes);
            creates = Set.copyOf(creates);
        }

        /** Connecting: nothing but logging in. */
        static Attempt connect() {
            return new Attempt(Set.of(), Set.of(), Set.of(), null, null);
        }

        /** Reading a topic (its end offsets or its records) without a consumer group. */
        static Attempt read(String topic) {
            return new Attempt(Set.of(topic), Set.of(), Set.of(), null, null);
        }

        /** Writing to a topic with the idempotent producer. */
        static Attempt write(String topic) {
            return new Attempt(Set.of(), Set.of(topic), Set.of(), null, null);
        }

        /** Creating topics that this principal did not see. */
        static Attempt create(Collection<String> topics) {
            return new Attempt(Set.of(), Set.of(), Set.copyOf(topics), null, null);
        }

        /** Consuming {@code reads} in {@code group} and writing in transactions with ids starting {@code transactionalIds}. */
        static Attempt process(String group, Collection<String> reads, String transactionalIds) {
            return new Attempt(Set.copyOf(reads), Set.of(), Set.of(), group, transactionalIds);
        }
    }

    private final String bootstrap;
    private final String topicPrefix;
    private final String principal;

    AccessErrors(KafkaSettings settings) {
        this.bootstrap = settings.bootstrapServers();
        this.topicPrefix = settings.topicPrefix();
        this.principal = principal(settings.client().values());
    }

    /** Whether {@code e}, or one of its causes, is Kafka refusing a login or an operation. */
    static boolean isAccessError(Throwable e) {
        return accessCause(e) != null;
    }

    /** {@code e} as a {@link KafkaAccessDeniedException} if it is an access error, else {@code e} itself. */
    RuntimeException orDenied(RuntimeException e, Attempt attempt) {
        return isAccessError(e) ? denied(e, attempt) : e;
    }

    /**
     * The clear error for an access error met during {@code attempt}.
     *
     * @throws IllegalArgumentException if {@code e} is not an access error ({@link #isAccessError})
     */
    KafkaAccessDeniedException denied(Throwable e, Attempt attempt) {
        Throwable cause = accessCause(e);
        if (cause == null) {
            throw new IllegalArgumentException("not an access error: " + e, e);
        }
        return new KafkaAccessDeniedException(message(cause, attempt), cause);
    }

    private String message(Throwable e, Attempt a) {
        if (e instanceof SaslAuthenticationException) {
            return "Kafka at " + bootstrap + " refused the SASL login of " + principal + ": " + detail(e)
                    + "; check the user name and password in sasl.jaas.config (KAFKA_CONFIG or KAFKA_SASL_JAAS_CONFIG)"
                    + " and sasl.mechanism, and that an operator created the user's SCRAM credentials (" + DOCS + ")";
        }
        if (e instanceof SslAuthenticationException) {
            return "the TLS handshake with Kafka at " + bootstrap + " failed: " + detail(e) + "; check that"
                    + " ssl.truststore.location holds the CA that signed the broker's certificate, and, as the broker may"
                    + " require client certificates, that ssl.keystore.location holds a certificate its CA signed (" + DOCS + ")";
        }
        if (e instanceof AuthenticationException) {
            return "Kafka at " + bootstrap + " refused to authenticate " + principal + ": " + detail(e)
                    + "; check the security properties of KAFKA_CONFIG (" + DOCS + ")";
        }
        if (e instanceof TopicAuthorizationException t) {
            Set<String> topics = new TreeSet<>(t.unauthorizedTopics());
            if (topics.isEmpty()) {
                topics.addAll(a.creates().isEmpty() ? a.writes().isEmpty() ? a.reads() : a.writes() : a.creates());
            }
            return topics.isEmpty() ? "not authorized to use a topic as " + principal + ": " + detail(e) + " (" + DOCS + ")"
                    : topicMessage(topics.iterator().next(), a);
        }
        if (e instanceof GroupAuthorizationException g) {
            String group = g.groupId() != null ? g.groupId() : a.group();
            return "not authorized to use consumer group " + group + " as " + principal + ": an operator must grant READ"
                    + " on group " + group + " (" + DOCS + ")";
        }
        if (e instanceof TransactionalIdAuthorizationException && a.transactionalIds() != null) {
            return "not authorized to use the transactional ids " + a.transactionalIds() + "* as " + principal
                    + ": an operator must grant WRITE on transactional ids prefixed " + a.transactionalIds() + " (" + DOCS + ")";
        }
        if (e instanceof ClusterAuthorizationException && !a.writes().isEmpty()) {
            // the idempotent producer needs WRITE on some topic (or IDEMPOTENT_WRITE on the cluster): a principal
            // without WRITE anywhere is refused here, before its first record, so say what it was writing
            return topicMessage(a.writes().iterator().next(), a);
        }
        return "not authorized as " + principal + ": " + detail(e) + " (" + DOCS + ")";
    }

    private String topicMessage(String topic, Attempt a) {
        if (a.creates().contains(topic)) {
            return "not authorized to create topic " + topic + " as " + principal + " (it does not exist, or this"
                    + " principal may not DESCRIBE it): an operator must grant DESCRIBE on the topics prefixed " + topicPrefix
                    + ", and CREATE on them to the principal that creates them (the coordinator's), or start the"
                    + " coordinator first (" + DOCS + ")";
        }
        boolean read = a.reads().contains(topic) && !a.writes().contains(topic);
        return "not authorized to " + (read ? "read topic " : "write to topic ") + topic + " as " + principal
                + ": an operator must grant " + (read ? "READ" : "WRITE") + " on it (" + DOCS + ")";
    }

    private static Throwable accessCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return t;
            }
        }
        return null;
    }

    /** The exception's message and its deepest cause's (a TLS handshake's reason is there), bounded. */
    private static String detail(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getMessage() + ")";
        }
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "...";
    }

    /**
     * Who this client is to the broker, as far as its properties say: {@code User:NAME} for a SASL PLAIN or SCRAM
     * login (Kafka's default principal for it); the certificate's principal for TLS without SASL.
     */
    static String principal(Map<String, String> client) {
        String protocol = client.getOrDefault("security.protocol", "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
        if (protocol.startsWith("SASL_")) {
            String mechanism = client.getOrDefault("sasl.mechanism", "GSSAPI").trim().toUpperCase(Locale.ROOT);
            String jaas = client.get("sasl.jaas.config");
            if (jaas != null && (mechanism.equals("PLAIN") || mechanism.startsWith("SCRAM-"))) {
                Matcher m = JAAS_USERNAME.matcher(jaas);
                if (m.find()) {
                    return "User:" + (m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
            return "the " + mechanism + " principal of sasl.jaas.config";
        }
        if (protocol.equals("SSL")) {
            String keystore = client.get("ssl.keystore.location");
            return keystore == null ? "User:ANONYMOUS (no ssl.keystore.location: no client certificate)"
                    : "the principal of the certificate in " + keystore;
        }
        return "User:ANONYMOUS (security.protocol " + protocol + ")";
    }
}
