package dev.keyway.console;

import dev.keyway.message.FailedBatch;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.TaskLocation;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands that replay a failed batch, as docs/RUNBOOK.md ("A migration failed") gives them: {@code bin/migrate
 * retry FN} ({@code bin/migrate verify FN} for a verify, which resumes it: a retry would skip a migration whose run
 * succeeded), and the reset of the workers' consumer group to the failed task's offset (with Kafka's tool, or from
 * Keyway's distribution, whose {@code lib/} holds Kafka's tools).
 */
public final class ReplayCommands {

    /**
     * Where the workers read: the brokers and the workers' consumer group ({@code TOPIC_PREFIX} + {@code workers}).
     */
    public record Target(String bootstrapServers, String workerGroup) {
    }

    private ReplayCommands() {
    }

    /** The commands for this status's failed batch; empty when it has none. */
    public static List<String> of(MigrationStatus s, Target target) {
        List<String> out = new ArrayList<>();
        FailedBatch failed = s.failure().batch();
        if (failed == null && s.failure().error() == null) {
            return out;
        }
        out.add((s.run().kind() == RunKind.VERIFY ? "bin/migrate verify " : "bin/migrate retry ") + s.name());
        TaskLocation task = failed == null ? null : failed.task();
        if (task != null) {
            String args = "--bootstrap-server " + target.bootstrapServers() + " --group " + target.workerGroup()
                    + " --topic " + task.topic() + ":" + task.partition() + " --reset-offsets --to-offset "
                    + task.offset() + " --execute";
            out.add("kafka-consumer-groups.sh " + args);
            out.add("java -cp \"$(ls -d dist/target/keyway-*/)lib/*\""
                    + " org.apache.kafka.tools.consumer.group.ConsumerGroupCommand " + args);
        }
        return out;
    }
}
