package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ProcessCluster;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.TaskLocation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The replay runbook (docs/RUNBOOK.md), driven by Kafka's own consumer-groups tool: a failed batch's
 * status names its task's offset; with the workers stopped, the workers' group is reset to that
 * offset; restarted workers run the batch again and the migration completes, with no batch applied twice. Each test
 * runs on PostgreSQL and on MariaDB.
 */
class OffsetResetReplayIT {

    private static final String MIGRATION = "incrementUnlessPoisoned";
    private static final int ROWS = 20_000;

    private TestDatabase db;
    private Sql sql;
    private ProcessCluster cluster;

    private void start(TestDatabase.Kind database) throws Exception {
        db = database.open();
        sql = new Sql(Sql.options(db));
        sql.itemsInOneStatement(ROWS);
        sql.exec("UPDATE \"items\" SET \"category\" = 'poison' WHERE \"id\" = 7777");
        cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                Path.of("target", "it-logs", "offsetReset"));
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        db.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void resettingTheWorkersOffsetToTheFailedTaskReplaysItAndTheMigrationCompletes(TestDatabase.Kind database) throws Exception {
        start(database);
        cluster.coordinator();
        List<ServiceProcess> workers = List.of(cluster.worker(), cluster.worker());
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withSegments(4)));
        MigrationStatus failed = cluster.awaitEnd(MIGRATION, since);
        assertEquals(MigrationState.FAILED, failed.state());
        assertEquals("7777", failed.failure().batch().documentId());
        TaskLocation task = failed.failure().batch().task();
        assertNotNull(task);

        for (ServiceProcess w : workers) {
            w.stop();
        }
        sql.exec("UPDATE \"items\" SET \"category\" = 'other' WHERE \"id\" = 7777");
        resetWorkers(task, "--to-offset", String.valueOf(task.offset()));

        long replayed = System.currentTimeMillis();
        cluster.worker();
        cluster.worker();
        // batches of other segments that were in flight at the failure still report (the state stays failed),
        // so wait for success itself: it comes only once the replayed batch went through
        MigrationStatus done = cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= replayed
                && s.state() == MigrationState.SUCCESS);
        assertEquals(MigrationState.SUCCESS, done.state(), "error: " + done.failure().error());
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, sql.itemsNotAt(1));
    }

    /**
     * An older run's tasks wait in the topic (the workers were stopped when it was canceled and the migration
     * started over); the new run fails; the operator rewinds the failed task's partition to its very start.
     * The replay delivers the older run's tasks, the new run's applied ones and the failed one: the fence
     * skips the first, the ledger answers the second, and only the failed batch is applied.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void replayingAPartitionFromItsStartAppliesNoTaskOfAnOlderRunAndNoBatchTwice(TestDatabase.Kind database) throws Exception {
        start(database);
        cluster.coordinator();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withSegments(4)));
        cluster.await(s -> s.name().equals(MIGRATION) && !s.progress().segments().isEmpty());
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(new Command.Cancel(MIGRATION)));
        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION)
                .withStartAt(Command.StartAt.beginning()).withSegments(4)));
        List<ServiceProcess> workers = List.of(cluster.worker(), cluster.worker());
        MigrationStatus failed = cluster.awaitEnd(MIGRATION, since);
        assertEquals(MigrationState.FAILED, failed.state());
        TaskLocation task = failed.failure().batch().task();

        for (ServiceProcess w : workers) {
            w.stop();
        }
        sql.exec("UPDATE \"items\" SET \"category\" = 'other' WHERE \"id\" = 7777");
        resetWorkers(task, "--to-earliest");
        long replayed = System.currentTimeMillis();
        cluster.worker();
        cluster.worker();
        MigrationStatus done = cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= replayed
                && s.state() == MigrationState.SUCCESS);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, sql.itemsNotAt(1));
    }

    /** Kafka refuses while the group still has members: retry until the stopped workers are gone from it. */
    private void resetWorkers(TaskLocation task, String... to) throws Exception {
        String output = "";
        // members that left without a LeaveGroup keep the group rebalancing until their 10 s session expires
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            List<String> args = new java.util.ArrayList<>(List.of("--bootstrap-server", cluster.bootstrap(),
                    "--group", cluster.topicPrefix() + "workers", "--topic", task.topic() + ":" + task.partition(),
                    "--reset-offsets"));
            args.addAll(List.of(to));
            args.add("--execute");
            ServiceProcess tool = cluster.tool("reset-offsets-" + attempt,
                    "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", args.toArray(String[]::new));
            output = tool.output();
            // success prints a row "GROUP TOPIC PARTITION NEW-OFFSET"; a refusal prints "Error: ..." and no row
            String row = ".*\\s" + java.util.regex.Pattern.quote(task.topic()) + "\\s+" + task.partition() + "\\s+"
                    + (to.length > 1 ? to[1] : "\\d+") + "\\s*";
            if (!output.contains("Error") && output.lines().anyMatch(l -> l.matches(row))) {
                return;
            }
        }
        assertTrue(false, "kafka-consumer-groups did not reset the offset:\n" + output);
    }
}
