package dev.keyway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.BatchSizing;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line an operator expects (issue 16): help everywhere, the build's version, Kafka's flags, list. */
class CommandLineTest {

    /** The commands that talk to Kafka, and the services. */
    private static final List<String> TALK_TO_KAFKA = List.of("coordinator", "worker", "run", "retry", "status", "list",
            "cancel", "pause", "resume", "configure", "console");

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "from-env:9092"));
    private final List<MigrationStatus> statuses = new ArrayList<>();
    private Function<Command, List<Event>> coordinator = c -> List.of();
    private final List<KafkaSettings> connected = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        KeywayCli cli = new KeywayCli(env, settings -> {
            connected.add(settings);
            return new FakeKafka(settings, statuses, coordinator);
        });
        return KeywayCli.commandLine(cli).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void everyCommandsHelpRendersWithoutAPicocliWarning() {
        // picocli formats descriptions: a bare % (as in "P% of the rows") makes it warn on stderr and print the raw text
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream warned = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warned, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (CommandLine sub : new CommandLine(new KeywayCli()).getSubcommands().values()) {
                sub.getUsageMessage();
            }
        } finally {
            System.setErr(before);
        }
        assertEquals("", warned.toString(java.nio.charset.StandardCharsets.UTF_8), "write % as %% in descriptions");
    }

    @Test
    void everyCommandPrintsItsOwnHelpAndExitsZero() {
        for (String command : new CommandLine(new KeywayCli()).getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue; // picocli's own: its usage starts with its description, and it has no --version
            }
            out.getBuffer().setLength(0);
            assertEquals(0, execute(command, "--help"), command + ": " + err);
            assertTrue(out.toString().startsWith("Usage: keyway " + command), command + ": " + out);
            assertTrue(out.toString().contains("--version"), command + ": " + out);
        }
        // the ones that used to say "Missing required parameter", "Unknown option", or start a worker
        for (String command : List.of("run", "status", "worker", "coordinator")) {
            out.getBuffer().setLength(0);
            assertEquals(0, execute("help", command), command + ": " + err);
            assertTrue(out.toString().startsWith("Usage: keyway " + command), out.toString());
        }
        assertTrue(connected.isEmpty(), "help connects to nothing: " + connected);
    }

    @Test
    void theTopLevelHelpNamesTheServicesAndHelp() {
        assertEquals(0, execute("--help"));
        for (String command : List.of("coordinator", "worker", "list", "help")) {
            assertTrue(out.toString().contains("\n  " + command + " "), command + " in\n" + out);
        }
    }

    @Test
    void usageLinesNameTheLauncherThatStartedTheCommandLine() {
        String before = System.getProperty(KeywayCli.LAUNCHER_PROPERTY);
        System.setProperty(KeywayCli.LAUNCHER_PROPERTY, "bin/migrate");
        try {
            assertEquals(0, execute("run", "--help"));
        } finally {
            if (before == null) {
                System.clearProperty(KeywayCli.LAUNCHER_PROPERTY);
            } else {
                System.setProperty(KeywayCli.LAUNCHER_PROPERTY, before);
            }
        }
        assertTrue(out.toString().startsWith("Usage: bin/migrate run "), out.toString());
    }

    @Test
    void versionIsTheBuildsOnEveryCommand() {
        String expected = System.getProperty("keyway.expectedVersion");
        assertTrue(expected != null && !expected.isBlank(), "the build passes its version to the test");
        assertEquals(0, execute("--version"));
        assertEquals("keyway " + expected, out.toString().trim());
        out.getBuffer().setLength(0);
        assertEquals(0, execute("worker", "--version"));
        assertEquals("keyway " + expected, out.toString().trim());
    }

    @Test
    void everyCommandThatTalksToKafkaTakesKafkasOwnFlags() {
        CommandLine cli = new CommandLine(new KeywayCli());
        for (String command : TALK_TO_KAFKA) {
            CommandLine.Model.CommandSpec spec = cli.getSubcommands().get(command).getCommandSpec();
            assertTrue(spec.findOption("--bootstrap-server") != null && spec.findOption("--command-config") != null,
                    command);
        }
        assertEquals(null, cli.getSubcommands().get("demo").getCommandSpec().findOption("--bootstrap-server"),
                "the demo runs its own broker");
    }

    @Test
    void runSendsNoConcurrencyUnlessAskedAndZeroAsksForEverySegment() {
        List<Command.Run> runs = new java.util.ArrayList<>();
        coordinator = c -> {
            runs.add((Command.Run) c);
            return List.of(new Event.CommandAccepted(c.fn(), "run", "started", null));
        };
        assertEquals(0, execute("run", "a"), err.toString());
        assertEquals(null, runs.get(0).limits(), "the coordinator's default applies");
        assertEquals(0, execute("run", "a", "--max-concurrency", "0"), err.toString());
        assertEquals(dev.keyway.migration.Migration.MAX_SEGMENTS, runs.get(1).limits().maxConcurrency());
        assertEquals(0, execute("run", "a", "--max-concurrency", "3"), err.toString());
        assertEquals(3, runs.get(2).limits().maxConcurrency());
    }

    @Test
    void theFlagsWinOverTheEnvironment() throws Exception {
        Path fromEnv = Files.writeString(dir.resolve("env.properties"), "client.id=from-env\n");
        Path fromFlag = Files.writeString(dir.resolve("flag.properties"), "client.id=from-flag\nsecurity.protocol=SSL\n");
        env.put("KAFKA_CONFIG", fromEnv.toString());
        coordinator = c -> List.of(new Event.CommandAccepted(c.fn(), "pause", "paused", null));

        assertEquals(0, execute("pause", "a"), err.toString());
        assertEquals("from-env:9092", connected.get(0).bootstrapServers());
        assertEquals("from-env", connected.get(0).client().values().get("client.id"));

        assertEquals(0, execute("pause", "a", "--bootstrap-server", "from-flag:9093", "--command-config",
                fromFlag.toString()), err.toString());
        KafkaSettings flagged = connected.get(1);
        assertEquals("from-flag:9093", flagged.bootstrapServers());
        assertEquals("from-flag", flagged.client().values().get("client.id"));
        assertEquals("SSL", flagged.client().values().get("security.protocol"));
    }

    @Test
    void theServicesReadTheFlagsInPlaceOfTheirVariables() {
        ServiceCommands.Worker worker = new ServiceCommands.Worker();
        new CommandLine(new KeywayCli(env, s -> {
            throw new AssertionError("no connection");
        })).addSubcommand("w", worker).parseArgs("w", "--bootstrap-server", "flag:1", "--migrations", "x.jar");
        assertEquals("flag:1", worker.broker.environment().get("KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals(List.of("--migrations", "x.jar"), List.of(worker.service.args()));
    }

    @Test
    void theCoordinatorRunsAtFullSpeedOnlyWhenAsked() {
        ServiceCommands.Coordinator gentle = new ServiceCommands.Coordinator();
        new CommandLine(new KeywayCli(env, s -> {
            throw new AssertionError("no connection");
        })).addSubcommand("c", gentle).parseArgs("c");
        assertEquals(null, gentle.environment().get("KEYWAY_FULL_SPEED"));
        ServiceCommands.Coordinator full = new ServiceCommands.Coordinator();
        new CommandLine(new KeywayCli(env, s -> {
            throw new AssertionError("no connection");
        })).addSubcommand("c", full).parseArgs("c", "--full-speed");
        assertEquals("true", full.environment().get("KEYWAY_FULL_SPEED"));
    }

    @Test
    void aWorkersSlicesReachItsEnvironmentOnlyWhenGiven() {
        ServiceCommands.Worker unset = new ServiceCommands.Worker();
        new CommandLine(new KeywayCli(env, s -> {
            throw new AssertionError("no connection");
        })).addSubcommand("w", unset).parseArgs("w");
        assertEquals(null, unset.environment().get("WORKER_SLICES"), "the worker's default: the machine's cores");
        ServiceCommands.Worker eight = new ServiceCommands.Worker();
        new CommandLine(new KeywayCli(env, s -> {
            throw new AssertionError("no connection");
        })).addSubcommand("w", eight).parseArgs("w", "--slices", "8");
        assertEquals("8", eight.environment().get("WORKER_SLICES"));
    }

    @Test
    void statusOfAnUnknownNameSaysSoOnStderrAndExitsOne() {
        statuses.add(MigrationStatus.unknown("known", 100).change().state(MigrationState.SUCCESS).build());
        assertEquals(1, execute("status", "nosuch"));
        assertTrue(err.toString().startsWith("no migration named nosuch (known: known)"), err.toString());
    }

    @Test
    void listShowsTheCoordinatorsDefinitionsWithTheirStates() {
        statuses.add(MigrationStatus.unknown("done", 100).change().state(MigrationState.SUCCESS).build());
        statuses.add(MigrationStatus.unknown("removed", 100).change().state(MigrationState.FAILED).build());
        coordinator = c -> c instanceof Command.ListMigrations l ? List.of(
                // another client's answer first: not ours
                new Event.MigrationsListed("*", "someone-else", List.of(), 0),
                new Event.MigrationsListed("*", l.requestId(), List.of(
                        new Event.Definition("done", "users", List.of("id"), new BatchSizing(1000, 200), null, false, 0),
                        new Event.Definition("fresh", "orders", null, new BatchSizing(500, null), "status = open", true, 4)),
                        0)) : List.of();

        assertEquals(0, execute("list"), err.toString());
        String said = out.toString();
        assertTrue(said.matches("(?s).*done +success +users +id +sized by time: target 200 ms, at most 1000 rows\n.*"), said);
        assertTrue(said.matches("(?s).*fresh +never run +orders +\\? +batch size 500; range status = open; parallelize;"
                + " 4 segments\n.*"), said);
        assertTrue(said.matches("(?s).*removed +failed .*not defined by the coordinator.*"), said);

        out.getBuffer().setLength(0);
        assertEquals(0, execute("list", "--json"), err.toString());
        assertTrue(out.toString().contains("\"coordinatorAnswered\" : true"), out.toString());
        assertTrue(out.toString().contains("\"state\" : \"never run\""), out.toString());
    }

    @Test
    void listSaysSoWhenNoCoordinatorAnswers() {
        statuses.add(MigrationStatus.unknown("done", 100).change().state(MigrationState.SUCCESS).build());
        assertEquals(1, execute("list", "--timeout", "1"));
        String said = out.toString();
        assertTrue(said.startsWith("no coordinator answered within 1 s"), said);
        assertTrue(said.matches("(?s).*done +success .*definition unknown.*"), said);
        assertFalse(said.contains("not defined by the coordinator"), said);
    }

    @Test
    void theConsoleRefusesToListenBeyondThisMachineWithoutATokenOrBasicAuth() throws Exception {
        assertEquals(2, execute("console", "--bind", "0.0.0.0", "--port", "0"));
        assertTrue(err.toString().contains("without authentication: give a token (KEYWAY_CONSOLE_TOKEN or --token-file"),
                err.toString());
        assertTrue(connected.isEmpty(), "refused before connecting to Kafka");
        err.getBuffer().setLength(0);
        assertEquals(2, execute("status", "--serve", "0", "--bind", "0.0.0.0"));
        assertTrue(err.toString().contains("KEYWAY_CONSOLE_TOKEN"), err.toString());
    }

    @Test
    void theConsolesAccessComesFromItsFlagsOrTheTokenVariable() throws Exception {
        assertTrue(ConsoleCommand.access(null, null, null).isOpen());
        assertTrue(ConsoleCommand.access(null, null, "  ").isOpen());
        assertFalse(ConsoleCommand.access(null, null, "0123456789abcdef0123").isOpen());
        Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef0123\n");
        assertFalse(ConsoleCommand.access(token, null, null).isOpen());
        Path users = Files.writeString(dir.resolve("users"), "# operators\nalice:s3cret\n\n");
        assertFalse(ConsoleCommand.access(null, users, null).isOpen());
        Path bad = Files.writeString(dir.resolve("bad"), "alice\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ConsoleCommand.access(null, bad, null));
        assertTrue(e.getMessage().contains("line 1 is not user:password"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ConsoleCommand.access(token, users, null));
    }
}
