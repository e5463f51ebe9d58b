package dev.keyway.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code images FN [--json]}: the runs of a migration that kept before-images ({@code keyway_images} in
 * {@code JDBC_URL}), with how many rows and bytes; {@code images purge FN --run R} deletes one run's. Images stay until
 * purged: nothing deletes them on its own.
 */
@CommandLine.Command(name = "images", description = "Lists the runs of a migration that kept before-images"
        + " (keyway_images in JDBC_URL): rows, bytes, when. They stay until purged: images purge FN --run RUN.",
        subcommands = ImagesCommand.Purge.class)
final class ImagesCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MIGRATION")
    String fn;
    @Option(names = "--json", description = "one JSON array of the runs")
    boolean json;

    @Override
    public Integer call() {
        try (Store store = Store.open(StoreOptions.fromEnv(KeywayCli.env()))) {
            print(System.out, fn, store.imageRuns(fn), json);
        }
        return 0;
    }

    static void print(PrintStream out, String fn, List<ImagesOfRun> runs, boolean json) {
        if (json) {
            ArrayNode all = JsonNodeFactory.instance.arrayNode();
            runs.forEach(r -> all.addObject().put("runId", r.runId()).put("rows", r.rows())
                    .put("beforeBytes", r.beforeBytes()).put("firstAt", Instant.ofEpochMilli(r.firstAt()).toString())
                    .put("lastAt", Instant.ofEpochMilli(r.lastAt()).toString()));
            out.println(all.toPrettyString());
            return;
        }
        if (runs.isEmpty()) {
            out.println("no run of " + fn + " kept before-images");
            return;
        }
        out.printf("%-40s %12s %14s  %-24s  %s%n", "RUN", "ROWS", "BEFORE BYTES", "FIRST", "LAST");
        for (ImagesOfRun r : runs) {
            out.printf("%-40s %12d %14d  %-24s  %s%n", r.runId(), r.rows(), r.beforeBytes(),
                    Instant.ofEpochMilli(r.firstAt()), Instant.ofEpochMilli(r.lastAt()));
        }
        out.printf("undo one: bin/migrate undo %s --run RUN; delete one's images: bin/migrate images purge %s --run RUN%n",
                fn, fn);
    }

    @CommandLine.Command(name = "purge", description = "Deletes the before-images of one run (keyway_images in"
            + " JDBC_URL), in chunks; refused while that run or an undo of it runs or is paused. The run can no longer"
            + " be undone.")
    static final class Purge implements Callable<Integer> {
        @CommandLine.Mixin
        KafkaOptions broker;
        @Parameters(index = "0", paramLabel = "MIGRATION")
        String fn;
        @Option(names = "--run", paramLabel = "RUN", required = true, description = "the run whose images to delete")
        String run;

        @Override
        public Integer call() {
            Optional<String> busy;
            try (KafkaGateway kafka = broker.connect()) {
                busy = busy(new MigrationsClient(kafka).statuses().get(fn), run);
            }
            if (busy.isPresent()) {
                System.out.println("refused: " + busy.get());
                return 1;
            }
            try (Store store = Store.open(StoreOptions.fromEnv(KeywayCli.env()))) {
                long deleted = store.purgeImages(fn, run);
                System.out.println(fn + ": deleted the " + deleted + " before-image(s) of run " + run
                        + (deleted == 0 ? " (it had none: see bin/migrate images " + fn + ")" : ""));
            }
            return 0;
        }
    }

    /** Why the images of {@code run} may not be purged now, or empty: the run, or an undo of it, runs or is paused. */
    static Optional<String> busy(MigrationStatus st, String run) {
        if (st == null || !(st.state().running() || st.state() == MigrationState.PAUSED)) {
            return Optional.empty();
        }
        if (run.equals(st.run().runId())) {
            return Optional.of("run " + run + " of " + st.name() + " is " + st.state().json()
                    + ": it is still writing its images; purge them once it has ended");
        }
        if (st.run().kind() == RunKind.UNDO && st.run().undoOf() != null && run.equals(st.run().undoOf().runId())) {
            return Optional.of("an undo of run " + run + " is " + st.state().json() + " (run " + st.run().runId()
                    + "): it walks these images; cancel it or let it end first");
        }
        return Optional.empty();
    }
}
