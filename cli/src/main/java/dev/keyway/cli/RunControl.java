package dev.keyway.cli;

import static dev.keyway.cli.KeywayCli.ANSWER_TIMEOUT;
import static dev.keyway.cli.KeywayCli.report;
import static dev.keyway.cli.KeywayCli.requester;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.message.Command;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that steer a migration that has run: {@code retry}, {@code cancel}, {@code pause}, {@code resume} and
 * {@code configure}. Each sends one command and prints the coordinator's answer.
 */
final class RunControl {

    private RunControl() {
    }

    /** Sends the command, prints the coordinator's answer on the command's output; the exit code: 0 accepted, 1 refused. */
    static int send(KafkaOptions broker, Command command, CommandLine.Model.CommandSpec spec) {
        try (KafkaGateway kafka = broker.connect()) {
            return report(spec.commandLine().getOut(), new MigrationsClient(kafka).send(command, ANSWER_TIMEOUT));
        }
    }

    /** A command about one migration, named by the one parameter. */
    abstract static class OneMigration implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract Command command(String fn);

        @Override
        public Integer call() {
            return send(broker, command(fn), spec);
        }
    }

    @CommandLine.Command(name = "retry", description = "Resumes a failed or canceled migration from its failed batch;"
            + " with --quarantined, runs it over just the documents it set aside (keyway_quarantine), after it succeeded.")
    static final class Retry extends OneMigration {
        @Option(names = "--quarantined", description = "migrate just the documents in quarantine, each exactly once: a"
                + " document leaves quarantine in the transaction that migrates it")
        boolean quarantined;

        @Override
        Command command(String fn) {
            return Command.Run.of(fn).withOnlyQuarantined(quarantined).withRequestedBy(requester());
        }
    }

    @CommandLine.Command(name = "cancel", description = "Stops a migration (or all) after the batches in flight.")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION", arity = "0..1")
        String fn;
        @Option(names = "--all")
        boolean all;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (fn == null && !all) {
                throw new CommandLine.ParameterException(spec.commandLine(), "name a migration or pass --all");
            }
            Command c = all ? new Command.CancelAll(requester()) : new Command.Cancel(fn, requester());
            return send(broker, c, spec);
        }
    }

    @CommandLine.Command(name = "pause", description = "Stops a migration after the batches in flight, keeping its run:"
            + " it stays paused (across restarts) until resumed.")
    static final class Pause extends OneMigration {
        @Override
        Command command(String fn) {
            return new Command.Pause(fn, requester());
        }
    }

    @CommandLine.Command(name = "resume", description = "Goes on with a paused migration from each segment's cursor.")
    static final class Resume extends OneMigration {
        @Override
        Command command(String fn) {
            return new Command.Resume(fn, requester());
        }
    }

    @CommandLine.Command(name = "configure", description = "Changes the limits of a running or paused migration, from"
            + " its next batches.")
    static final class Configure implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;
        @Option(names = "--batch-size", description = "rows per batch from the next batches")
        Integer batchSize;
        @Option(names = "--max-rows-per-second", description = "the most rows per second across all workers; 0 = no limit")
        Integer maxRowsPerSecond;
        @Option(names = "--target-batch-millis", description = "size each batch to take about this long (up to the"
                + " batch size); 0 = batches of the batch size")
        Integer targetBatchMillis;
        @Option(names = "--max-concurrency", description = "the most segments with a batch in flight at once; 0 = all")
        Integer maxConcurrency;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (batchSize == null && maxRowsPerSecond == null && targetBatchMillis == null && maxConcurrency == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --batch-size, --max-rows-per-second,"
                        + " --target-batch-millis or --max-concurrency (the limits to change)");
            }
            return send(broker, new Command.Configure(fn, batchSize, maxRowsPerSecond, targetBatchMillis,
                    maxConcurrency, requester()), spec);
        }
    }
}
