package dev.keyway.cli;

import dev.keyway.client.MigrationsClient;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code list}: the migrations the coordinator defines (it loads the user's jars; the command line does not), each
 * with its state on the status topic or "never run". Asks the live coordinator ({@code list} on the commands topic,
 * read-only); when none answers, says so and lists what the status topic alone knows.
 */
@CommandLine.Command(name = "list", description = "Lists the migrations the coordinator defines: table, key columns,"
        + " batch sizing, range, parallelize, and each one's state (or never run).")
final class ListMigrations implements Callable<Integer> {

    @CommandLine.Mixin
    KafkaOptions broker;
    @Option(names = "--json", description = "print the list as JSON")
    boolean json;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "how long to wait for the coordinator's answer (default ${DEFAULT-VALUE})")
    int timeoutSeconds;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One migration as listed: its definition (null when the coordinator did not answer or defines it no more). */
    record Entry(String name, String state, Event.Definition definition) {
    }

    /** The whole answer, as {@code --json} prints it. */
    record Listing(boolean coordinatorAnswered, List<Entry> migrations, int omitted) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaGateway kafka = broker.connect()) {
            MigrationsClient client = new MigrationsClient(kafka);
            Map<String, MigrationStatus> statuses = client.statuses();
            Optional<Event> answer = client.list(KeywayCli.requester(), Duration.ofSeconds(timeoutSeconds));
            if (answer.isPresent() && answer.get() instanceof Event.CommandRejected r) {
                spec.commandLine().getErr().println("the coordinator refused list (is it older than this command line?):"
                        + " " + r.reason());
                return 1;
            }
            Listing listing = listing(answer.map(Event.MigrationsListed.class::cast), statuses);
            if (json) {
                out.println(client.codec().pretty(listing));
            } else {
                print(out, listing, timeoutSeconds);
            }
            out.flush();
            return listing.coordinatorAnswered() ? 0 : 1;
        }
    }

    /** The coordinator's definitions with their states, then the statuses of migrations it does not define. */
    static Listing listing(Optional<Event.MigrationsListed> answer, Map<String, MigrationStatus> statuses) {
        List<Entry> entries = new ArrayList<>();
        List<String> defined = new ArrayList<>();
        answer.ifPresent(a -> a.migrations().forEach(d -> {
            defined.add(d.name());
            entries.add(new Entry(d.name(), state(statuses.get(d.name())), d));
        }));
        statuses.values().stream().filter(s -> !defined.contains(s.name()))
                .sorted(java.util.Comparator.comparing(MigrationStatus::name))
                .forEach(s -> entries.add(new Entry(s.name(), state(s), null)));
        return new Listing(answer.isPresent(), entries, answer.map(Event.MigrationsListed::omitted).orElse(0));
    }

    private static String state(MigrationStatus s) {
        return s == null ? "never run" : s.state().json();
    }

    static void print(PrintWriter out, Listing listing, int timeoutSeconds) {
        if (!listing.coordinatorAnswered()) {
            out.println("no coordinator answered within " + timeoutSeconds + " s (is one running, on these topics?):"
                    + " the definitions are unknown; the status topic knows " + listing.migrations().size()
                    + " migration(s)");
        }
        out.printf("%-26s %-10s %-20s %-14s %s%n", "MIGRATION", "STATE", "TABLE", "KEY", "BATCHES / RANGE / OPTIONS");
        for (Entry e : listing.migrations()) {
            Event.Definition d = e.definition();
            if (d == null) {
                out.printf("%-26s %-10s %-20s %-14s %s%n", e.name(), e.state(), "?", "?",
                        listing.coordinatorAnswered() ? "not defined by the coordinator (removed by a deploy?)"
                                : "definition unknown");
                continue;
            }
            out.printf("%-26s %-10s %-20s %-14s %s%n", e.name(), e.state(), d.table(),
                    d.keyColumns() == null ? "?" : String.join(",", d.keyColumns()), options(d));
        }
        if (listing.omitted() > 0) {
            out.println("... and " + listing.omitted() + " more the coordinator defines (an answer lists "
                    + Event.MigrationsListed.MAX_LISTED + " at most)");
        }
    }

    /** {@code sized by time: target 200 ms, at most 1000 rows; range role = admin; parallelize; 4 segments}. */
    static String options(Event.Definition d) {
        StringBuilder b = new StringBuilder(d.sizing().describe());
        if (d.range() != null) {
            b.append("; range ").append(d.range());
        }
        if (d.parallelize()) {
            b.append("; parallelize");
        }
        if (d.segments() > 0) {
            b.append("; ").append(d.segments()).append(" segments");
        }
        return b.toString();
    }
}
