package dev.keyway.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.Store;
import dev.keyway.store.StoreOptions;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quarantine FN [--json]}: the documents a migration's runs set aside, read from {@code keyway_quarantine} in
 * the database of {@code JDBC_URL} (as {@code seed} reaches it): the table is the record, written in the batches' own
 * transactions, and nothing on Kafka holds it.
 */
@CommandLine.Command(name = "quarantine", description = "Lists the documents a migration set aside (keyway_quarantine"
        + " in JDBC_URL): key, run, when, error and the document as it was.")
final class QuarantineCommand implements Callable<Integer> {

    /** The most documents listed. */
    static final int MAX_LISTED = 10_000;

    @Parameters(index = "0", paramLabel = "MIGRATION")
    String fn;
    @Option(names = "--json", description = "one JSON array of the documents")
    boolean json;

    @Override
    public Integer call() {
        StoreOptions o = StoreOptions.fromEnv(KeywayCli.env());
        try (Store store = Store.open(o)) {
            print(System.out, fn, store.quarantined(fn, MAX_LISTED), json);
        }
        return 0;
    }

    static void print(PrintStream out, String fn, List<QuarantinedDocument> docs, boolean json) {
        if (json) {
            ArrayNode all = JsonNodeFactory.instance.arrayNode();
            for (QuarantinedDocument d : docs) {
                all.addObject().put("migration", d.migration()).put("runId", d.runId())
                        .put("segment", d.segment()).put("key", d.key()).put("error", d.error())
                        .put("document", d.document()).put("at", Instant.ofEpochMilli(d.at()).toString());
            }
            out.println(all.toPrettyString());
            return;
        }
        if (docs.isEmpty()) {
            out.println("no document of " + fn + " is quarantined");
            return;
        }
        out.printf("%-24s %-20s %-24s  %s%n", "KEY", "RUN", "AT", "ERROR");
        for (QuarantinedDocument d : docs) {
            out.printf("%-24s %-20s %-24s  %s%n", d.key(), d.runId(), Instant.ofEpochMilli(d.at()),
                    d.error().replace('\n', ' '));
        }
        out.printf("%d document(s) of %s quarantined; --json shows each as it was%n", docs.size(), fn);
    }
}
