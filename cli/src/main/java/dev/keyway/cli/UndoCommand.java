package dev.keyway.cli;

import static dev.keyway.cli.KeywayCli.ANSWER_TIMEOUT;
import static dev.keyway.cli.KeywayCli.report;
import static dev.keyway.cli.KeywayCli.requester;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.UndoOf;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code undo FN [--run R] [--force]}: takes back a run that kept before-images (an undo run: fenced, resumable, exactly
 * once, paced and braked like any run); {@code --conflicts} lists the rows an undo left as they are.
 */
@CommandLine.Command(name = "undo", description = "Takes back a run that kept before-images (run --keep-before-images,"
        + " or withBeforeImages()): restores each row it changed, deletes the rows it inserted and inserts again the"
        + " ones it deleted, exactly once; a row the application changed since is a conflict, listed and left as it is"
        + " unless --force. --conflicts lists them.")
final class UndoCommand implements Callable<Integer> {

    @CommandLine.Mixin
    KafkaOptions broker;
    @Parameters(index = "0", paramLabel = "MIGRATION", description = "the migration's name")
    String fn;
    @Option(names = "--run", paramLabel = "RUN", description = "the run to take back (its runId in the status or the"
            + " history); without it, the migration's latest run with images in JDBC_URL (bin/migrate images FN)")
    String run;
    @Option(names = "--force", description = "also overwrite rows the application changed since the run")
    boolean force;
    @Option(names = "--conflicts", description = "list the rows undos left as they are (keyway_undo_conflicts in"
            + " JDBC_URL) and exit")
    boolean conflicts;
    @Option(names = "--json", description = "with --conflicts: one JSON array")
    boolean json;
    @Option(names = "--batch-size", description = "rows per batch")
    Integer batchSize;
    @Option(names = "--segments", description = "parallel segments")
    Integer segments;
    @CommandLine.Mixin
    LimitOptions limits;
    @Option(names = "--wait", description = "show live progress until it ends (exit code 0 when it succeeded, 1 when it"
            + " failed or was canceled), then its conflicts")
    boolean await;

    @Override
    public Integer call() {
        if (conflicts) {
            try (Store store = Store.open(StoreOptions.fromEnv(KeywayCli.env()))) {
                VerifyCommand.print(System.out, fn, store.undoConflicts(fn, QuarantineCommand.MAX_LISTED), json,
                        "CONFLICT", "the undos of " + fn + " left no row as it was",
                        "row(s) of %s left as they are; bin/migrate undo %s --run RUN --force overwrites them");
            }
            return 0;
        }
        String target = run != null ? run : latestRunWithImages(fn);
        Command.Run undo = Command.Run.of(fn).withUndoOf(new UndoOf(target, force)).withBatchSize(batchSize)
                .withSegments(segments).withLimits(limits.limits()).withRequestedBy(requester());
        try (KafkaGateway kafka = broker.connect()) {
            MigrationsClient client = new MigrationsClient(kafka);
            long sent = System.currentTimeMillis();
            Event answer = client.send(undo, ANSWER_TIMEOUT);
            int code = report(new PrintWriter(System.out, true), answer);
            if (code != 0 || !await) {
                return code;
            }
            code = ProgressWatch.awaitSeries(client, undo, answer, sent, System.out);
            MigrationStatus end = client.statuses().get(fn);
            if (end != null) {
                System.out.printf("%s %s: %d rows of run %s walked, %d conflict(s)%s%n", fn, end.state().json(),
                        end.progress().processed(), target, end.progress().conflicts(), end.progress().conflicts() == 0
                                ? "" : " left as they are: bin/migrate undo " + fn + " --conflicts");
            }
            return code;
        }
    }

    /** The migration's latest run that kept images, from {@code keyway_images}; fails naming what to do when none. */
    static String latestRunWithImages(String fn) {
        try (Store store = Store.open(StoreOptions.fromEnv(KeywayCli.env()))) {
            List<ImagesOfRun> runs = store.imageRuns(fn);
            return runs.stream().max(Comparator.comparingLong(ImagesOfRun::lastAt)).map(ImagesOfRun::runId)
                    .orElseThrow(() -> new IllegalArgumentException("no run of " + fn + " kept before-images in "
                            + "JDBC_URL: only a run with --keep-before-images (or a definition withBeforeImages()) can be"
                            + " undone; give --run RUN to undo one in another database"));
        }
    }
}
