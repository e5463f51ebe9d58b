package dev.keyway.cli;

import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags of Kafka's own tools for reaching a cluster, on every command that talks to Kafka and on the services:
 * {@code --bootstrap-server HOST:PORT} and {@code --command-config FILE} (a client properties file: security, SASL,
 * TLS). Given, each wins over the variable it stands for ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_CONFIG}); the
 * rest of the configuration is read from the environment as before ({@link KafkaSettings#fromEnv}). A picocli mixin.
 */
final class KafkaOptions {

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "the Kafka brokers to connect to (overrides KAFKA_BOOTSTRAP_SERVERS)")
    String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE", description = "a Kafka client properties file, as for"
            + " Kafka's tools: security, SASL, TLS (overrides KAFKA_CONFIG)")
    String commandConfig;

    /** The command this mixin is part of: its root holds the environment and how to connect. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** {@code env} with each flag given in place of the variable it overrides. */
    Map<String, String> applyTo(Map<String, String> env) {
        Map<String, String> out = new HashMap<>(env);
        if (bootstrapServer != null) {
            out.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServer);
        }
        if (commandConfig != null) {
            out.put("KAFKA_CONFIG", commandConfig);
        }
        return out;
    }

    /** The environment of the command line with the flags applied: what a service started from it reads. */
    Map<String, String> environment() {
        return applyTo(cli().environment());
    }

    KafkaSettings settings() {
        return KafkaSettings.fromEnv(environment());
    }

    /** Connects with the flags and the environment; the caller closes the gateway. */
    KafkaGateway connect() {
        return cli().connect(settings());
    }

    private KeywayCli cli() {
        Object root = mixee == null ? null : mixee.root().userObject();
        return root instanceof KeywayCli k ? k : new KeywayCli();
    }
}
