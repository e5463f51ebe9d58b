package dev.keyway.cli;

import dev.keyway.client.MigrationsClient;
import dev.keyway.codec.JsonCodec;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.message.Excerpt;
import dev.keyway.message.HistoryEntry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code history [FN]}: the audit trail of the history topic, oldest first: every run started, paused, resumed,
 * configured, retried and ended, and every command the coordinator refused, with who asked and when.
 */
@CommandLine.Command(name = "history", description = "Shows what happened to migrations (runs, pauses, resumes,"
        + " configures, cancels, failures, refused commands), who asked and when, oldest first.")
final class HistoryCommand implements Callable<Integer> {

    /** When an entry happened, in the table: UTC, to the second. */
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @CommandLine.Mixin
    KafkaOptions broker;
    @Parameters(arity = "0..1", paramLabel = "FN", description = "only this migration's entries")
    String fn;
    @Option(names = "--json", description = "one JSON entry per line, as on the history topic")
    boolean json;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "the latest N entries (default ${DEFAULT-VALUE}; 0 = all)")
    int limit;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 0 (all) or more, but was "
                    + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaGateway kafka = broker.connect()) {
            MigrationsClient client = new MigrationsClient(kafka);
            List<HistoryEntry> all = client.history(fn);
            List<HistoryEntry> shown = limit == 0 || all.size() <= limit ? all : all.subList(all.size() - limit, all.size());
            if (json) {
                shown.forEach(h -> out.println(line(client.codec(), h)));
            } else {
                print(out, shown, all.size() - shown.size(), fn);
            }
            out.flush();
            return 0;
        }
    }

    /** The table: one line per entry; {@code older} entries left out by {@code --limit} are counted first. */
    static void print(PrintWriter out, List<HistoryEntry> entries, int older, String fn) {
        if (entries.isEmpty()) {
            out.println("no history" + (fn == null ? "" : " of " + fn) + " on the history topic");
            return;
        }
        if (older > 0) {
            out.println("(" + older + " older entries not shown: --limit 0 shows all)");
        }
        out.printf("%-19s  %-24s %-12s %-10s %-16s %s%n", "WHEN (UTC)", "MIGRATION", "RUN", "WHAT", "WHO", "DETAILS");
        for (HistoryEntry h : entries) {
            out.printf("%-19s  %-24s %-12s %-10s %-16s %s%n", WHEN.format(Instant.ofEpochMilli(h.at())),
                    h.migration(), run(h.runId()), h.kind(),
                    h.by() == null ? "-" : h.by(), Excerpt.of(h.details(), 300));
        }
    }

    /** A run id as the table shows it: its first 8 characters when it is longer than the column (--json has it all). */
    private static String run(String runId) {
        return runId == null ? "-" : runId.length() <= 12 ? runId : runId.substring(0, 8);
    }

    /** An entry's line of {@code --json}: its JSON as on the history topic. */
    static String line(JsonCodec codec, HistoryEntry h) {
        return new String(codec.encode(h), StandardCharsets.UTF_8);
    }
}
