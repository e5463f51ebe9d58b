package dev.keyway.cli;

import static dev.keyway.cli.KeywayCli.ANSWER_TIMEOUT;
import static dev.keyway.cli.KeywayCli.report;
import static dev.keyway.cli.KeywayCli.requester;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code verify FN}: checks a migration whose run succeeded, without writing (a run of kind verify: every row read
 * without locks, each one {@code migrateOne} would still change recorded in {@code keyway_verify}); {@code --fix}
 * migrates just those rows, each exactly once; {@code --list} prints them from the database of {@code JDBC_URL}.
 */
@CommandLine.Command(name = "verify", description = "Checks that a migration that succeeded left nothing to change:"
        + " runs migrateOne over every row without writing (rows read without locks) and records each row it would"
        + " still change (keyway_verify); ends verified or verifyFailed. --fix migrates just those rows, exactly once;"
        + " --list shows them.")
final class VerifyCommand implements Callable<Integer> {

    @CommandLine.Mixin
    KafkaOptions broker;
    @Parameters(index = "0", paramLabel = "MIGRATION", description = "the migration's name")
    String fn;
    @Option(names = "--fix", description = "migrate just the rows the last verify found, each exactly once: a row leaves"
            + " keyway_verify in the transaction that migrates it")
    boolean fix;
    @Option(names = "--list", description = "list the rows the last verify found (keyway_verify in JDBC_URL) and exit")
    boolean list;
    @Option(names = "--json", description = "with --list: one JSON array of the rows")
    boolean json;
    @Option(names = "--from-start", description = "verify from the start, even when the last verify did not finish"
            + " (without it, an unfinished verify resumes)")
    boolean fromStart;
    @Option(names = "--batch-size", description = "rows per batch")
    Integer batchSize;
    @Option(names = "--segments", description = "parallel segments (a new verify)")
    Integer segments;
    @CommandLine.Mixin
    LimitOptions limits;
    @Option(names = "--wait", description = "show live progress until it ends (exit code 0 when verified or fixed, 1"
            + " when it found rows or failed), then what it found")
    boolean await;

    @Override
    public Integer call() {
        if (list) {
            try (Store store = Store.open(StoreOptions.fromEnv(KeywayCli.env()))) {
                print(System.out, fn, store.verifyFindings(fn, QuarantineCommand.MAX_LISTED), json);
            }
            return 0;
        }
        Command.Run run = Command.Run.of(fn).withKind(fix ? RunKind.FIX : RunKind.VERIFY).withBatchSize(batchSize)
                .withSegments(segments).withLimits(limits.limits()).withRequestedBy(requester())
                .withStartAt(fromStart ? Command.StartAt.beginning() : null);
        try (KafkaGateway kafka = broker.connect()) {
            MigrationsClient client = new MigrationsClient(kafka);
            long sent = System.currentTimeMillis();
            Event answer = client.send(run, ANSWER_TIMEOUT);
            int code = report(new PrintWriter(System.out, true), answer);
            if (code != 0 || !await) {
                return code;
            }
            code = ProgressWatch.awaitSeries(client, run, answer, sent, System.out);
            MigrationStatus end = client.statuses().get(fn);
            if (end != null) {
                printFound(System.out, end);
            }
            return code;
        }
    }

    /** The end of a verify: what it walked, how many rows it found, and its sample. */
    static void printFound(PrintStream out, MigrationStatus s) {
        MigrationStatus.Verification v = s.verification();
        out.printf("%s %s: %d rows walked, %d would still change%n", s.name(), s.state().json(),
                s.progress().processed(), v.mismatched());
        for (Event.DocumentChange c : v.sample()) {
            out.printf("  %s: %s%n", c.id(), changed(c));
        }
        if (v.mismatched() > v.sample().size()) {
            out.printf("  ... and %d more: bin/migrate verify %s --list%n", v.mismatched() - v.sample().size(), s.name());
        }
    }

    /** The fields of the would-be document that differ from the row's. */
    static String changed(Event.DocumentChange c) {
        var diff = JsonNodeFactory.instance.objectNode();
        if (c.after() != null) {
            c.after().fields().forEachRemaining(f -> {
                JsonNode was = c.before() == null ? null : c.before().get(f.getKey());
                if (!f.getValue().equals(was)) {
                    diff.set(f.getKey(), f.getValue());
                }
            });
        }
        return diff.toString();
    }

    static void print(PrintStream out, String fn, List<QuarantinedDocument> found, boolean json) {
        print(out, fn, found, json, "WOULD CHANGE", "the last verify of " + fn + " found no row to change",
                "row(s) of %s would still change; bin/migrate verify %s --fix migrates them");
    }

    /**
     * Rows of a document table as a table (key, run, {@code what}), or one JSON array.
     *
     * @param summary the line after the table: a format given the count, then the migration twice
     */
    static void print(PrintStream out, String fn, List<QuarantinedDocument> found, boolean json, String what,
                      String none, String summary) {
        if (json) {
            ArrayNode all = JsonNodeFactory.instance.arrayNode();
            for (QuarantinedDocument d : found) {
                all.addObject().put("migration", d.migration()).put("runId", d.runId()).put("segment", d.segment())
                        .put("key", d.key()).put(json(what), d.error()).put("document", d.document())
                        .put("at", Instant.ofEpochMilli(d.at()).toString());
            }
            out.println(all.toPrettyString());
            return;
        }
        if (found.isEmpty()) {
            out.println(none);
            return;
        }
        out.printf("%-24s %-20s  %s%n", "KEY", "RUN", what);
        for (QuarantinedDocument d : found) {
            out.printf("%-24s %-20s  %s%n", d.key(), d.runId(), d.error().replace('\n', ' '));
        }
        out.printf("%d " + summary + "%n", found.size(), fn, fn);
    }

    /** A column's title as a JSON field: WOULD CHANGE becomes wouldChange. */
    private static String json(String title) {
        String[] words = title.toLowerCase(java.util.Locale.ROOT).split(" ");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return out.toString();
    }
}
