package dev.keyway.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What keyway-testing puts on a user's test classpath: the API, the protocol, the store and the batch path. This
 * module's test classpath is its own dependencies, so a class missing here is missing for every user of the harness.
 */
class ClasspathTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "org.apache.kafka.clients.consumer.KafkaConsumer", // kafka-clients
            "reactor.kafka.receiver.KafkaReceiver", // reactor-kafka
            "io.micrometer.core.instrument.MeterRegistry", // Micrometer
            "io.prometheus.metrics.model.registry.PrometheusRegistry", // Prometheus
            "dev.keyway.kafka.KafkaGateway", // our Kafka adapter
            "dev.keyway.worker.Worker", // the worker service
            "dev.keyway.coordinator.Coordinator"})
    void aUsersTestClasspathHoldsNoKafkaNoMetricsAndNoServices(String className) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(className));
    }
}
