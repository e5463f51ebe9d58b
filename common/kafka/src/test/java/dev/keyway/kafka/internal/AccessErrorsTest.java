package dev.keyway.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.kafka.ClientProperties;
import dev.keyway.kafka.KafkaAccessDeniedException;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.internal.AccessErrors.Attempt;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

class AccessErrorsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"intruder\" password=\"hunter2-secret\";";
    private static final AccessErrors SCRAM = new AccessErrors(settings(Map.of("security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS)));

    private static KafkaSettings settings(Map<String, String> client) {
        return KafkaSettings.defaults().withBootstrapServers("kafka1:9094").withTopicPrefix("p.")
                .withClient(new ClientProperties(client));
    }

    @Test
    void aTopicWriteRefusedNamesTheTopicThePrincipalAndTheAclToGrant() {
        KafkaAccessDeniedException e = SCRAM.denied(new TopicAuthorizationException(Set.of("p.commands")),
                Attempt.write("p.commands"));
        assertEquals("not authorized to write to topic p.commands as User:intruder: an operator must grant WRITE on it"
                + " (docs/OPERATIONS.md)", e.getMessage());
    }

    @Test
    void anIdempotentProducerRefusedForLackOfAnyWriteIsReportedAsTheWriteItWasAttempting() {
        // the broker refuses InitProducerId with CLUSTER_AUTHORIZATION_FAILED to a principal without WRITE anywhere
        String m = SCRAM.denied(new ClusterAuthorizationException("Cluster authorization failed."),
                Attempt.write("p.commands")).getMessage();
        assertTrue(m.startsWith("not authorized to write to topic p.commands as User:intruder: an operator must grant"
                + " WRITE on it"), m);
    }

    @Test
    void aReadRefusedSaysRead() {
        String m = SCRAM.denied(new TopicAuthorizationException(Set.of("p.events")), Attempt.read("p.events")).getMessage();
        assertTrue(m.startsWith("not authorized to read topic p.events as User:intruder: an operator must grant READ"), m);
    }

    @Test
    void inAProcessorTheInputTopicsAreReadAndTheOthersWritten() {
        Attempt worker = Attempt.process("p.workers", List.of("p.tasks"), "p.workers-");
        assertTrue(SCRAM.denied(new TopicAuthorizationException(Set.of("p.tasks")), worker).getMessage()
                .startsWith("not authorized to read topic p.tasks"));
        assertTrue(SCRAM.denied(new TopicAuthorizationException(Set.of("p.events")), worker).getMessage()
                .startsWith("not authorized to write to topic p.events"));
        assertEquals("not authorized to use consumer group p.workers as User:intruder: an operator must grant READ on"
                        + " group p.workers (docs/OPERATIONS.md)",
                SCRAM.denied(new GroupAuthorizationException("Not authorized to access group: p.workers", "p.workers"),
                        worker).getMessage());
        assertEquals("not authorized to use the transactional ids p.workers-* as User:intruder: an operator must grant"
                        + " WRITE on transactional ids prefixed p.workers- (docs/OPERATIONS.md)",
                SCRAM.denied(new TransactionalIdAuthorizationException("Transactional Id authorization failed."), worker)
                        .getMessage());
    }

    @Test
    void aTopicThatCouldNotBeCreatedNamesCreateAndDescribeOnThePrefix() {
        // the Admin client's error for a topic carries no topic name: the attempt gives it
        String m = SCRAM.denied(new ExecutionException(new TopicAuthorizationException("Authorization failed.")),
                Attempt.create(List.of("p.tasks"))).getMessage();
        assertTrue(m.startsWith("not authorized to create topic p.tasks as User:intruder"), m);
        assertTrue(m.contains("DESCRIBE on the topics prefixed p.") && m.contains("CREATE"), m);
    }

    @Test
    void aRefusedLoginSaysWhatToCheckAndNeverShowsThePassword() {
        String sasl = SCRAM.denied(new ExecutionException(new SaslAuthenticationException("Authentication failed during"
                + " authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")), Attempt.connect())
                .getMessage();
        assertTrue(sasl.startsWith("Kafka at kafka1:9094 refused the SASL login of User:intruder: Authentication failed"),
                sasl);
        assertTrue(sasl.contains("sasl.jaas.config"), sasl);
        assertFalse(sasl.contains("hunter2"), sasl);

        String tls = SCRAM.denied(new KafkaException(new SslAuthenticationException("SSL handshake failed",
                new SSLHandshakeException("PKIX path building failed"))), Attempt.connect()).getMessage();
        assertTrue(tls.startsWith("the TLS handshake with Kafka at kafka1:9094 failed: SSL handshake failed (PKIX path"
                + " building failed)"), tls);
        assertTrue(tls.contains("ssl.truststore.location") && tls.contains("ssl.keystore.location"), tls);
    }

    @Test
    void otherErrorsAreLeftAsTheyAre() {
        TimeoutException timeout = new TimeoutException("Timed out waiting for a node assignment.");
        assertFalse(AccessErrors.isAccessError(timeout));
        assertFalse(AccessErrors.isAccessError(new ExecutionException(timeout)));
        assertSame(timeout, SCRAM.orDenied(timeout, Attempt.read("p.status")));
        assertThrows(IllegalArgumentException.class, () -> SCRAM.denied(timeout, Attempt.read("p.status")));
        assertTrue(AccessErrors.isAccessError(new KafkaException(new ExecutionException(
                new TopicAuthorizationException(Set.of("p.status"))))), "found through its causes");
    }

    @Test
    void thePrincipalIsTheSaslUserElseTheCertificateElseAnonymous() {
        assertEquals("User:intruder", AccessErrors.principal(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS)));
        assertEquals("User:ops", AccessErrors.principal(Map.of("security.protocol", "sasl_plaintext",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=ops password=x;")));
        assertEquals("the OAUTHBEARER principal of sasl.jaas.config", AccessErrors.principal(Map.of(
                "security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER", "sasl.jaas.config", "x required;")));
        assertEquals("the principal of the certificate in /etc/keyway/worker.p12", AccessErrors.principal(Map.of(
                "security.protocol", "SSL", "ssl.keystore.location", "/etc/keyway/worker.p12")));
        assertTrue(AccessErrors.principal(Map.of()).startsWith("User:ANONYMOUS"));
    }
}
