package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrationCatalog;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A three-broker KRaft cluster loses the broker that is also the active controller in the middle of a run. */
class BrokerFailureIT {

    @Test
    void losingTheActiveControllerBrokerMidRunLosesAndRepeatsNothing() throws Exception {
        int rows = 50_000;
        String name = TestMigrations.INCREMENT.name();
        try (KafkaTestCluster kafka = KafkaTestCluster.inProcess(3); TestDatabase db = TestDatabase.postgres()) {
            Sql sql = new Sql(Sql.options(db));
            sql.itemsOnPostgres(rows);
            try (ServiceHarness services = ServiceHarness.start(kafka.bootstrapServers(), Sql.options(db),
                    MigrationCatalog.of(List.of(TestMigrations.INCREMENT)), 2)) {
                long since = System.currentTimeMillis();
                assertInstanceOf(Event.CommandAccepted.class, services.send(Command.Run.of(name).withSegments(8)));
                services.client().awaitStatus(s -> s.name().equals(name) && s.progress().processed() >= rows / 3,
                        Duration.ofMinutes(2));
                int controller = kafka.activeControllerId();
                kafka.killNode(controller);
                assertTrue(kafka.activeControllerId() != controller, "a new controller was elected");

                MigrationStatus end = services.client().awaitStatus(s -> s.name().equals(name) && s.updatedAt() >= since
                        && s.state() != MigrationState.IN_PROGRESS, Duration.ofMinutes(3));
                assertEquals(MigrationState.SUCCESS, end.state(), "error: " + end.failure().error());
                assertEquals(rows, end.progress().processed());
                assertEquals(0, sql.itemsNotAt(1));
            }
        }
    }
}
