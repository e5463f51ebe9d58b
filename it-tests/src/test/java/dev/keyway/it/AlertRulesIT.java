package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of monitoring/ pass {@code promtool check rules} and their own unit tests ({@code promtool test rules
 * keyway-alerts-test.yml}: each alert fires on the series that should fire it and on no other), and the distribution
 * carries them with the Grafana dashboard. promtool is Debian's (the prometheus package, installed by bin/ensure-tools).
 */
class AlertRulesIT {

    static final Path MONITORING = Path.of("..", "monitoring");
    static final Path DASHBOARD = MONITORING.resolve("grafana-keyway.json");
    static final Path ALERTS = MONITORING.resolve("keyway-alerts.yml");
    static final Path ALERTS_TEST = MONITORING.resolve("keyway-alerts-test.yml");

    /** Runs promtool with these arguments in monitoring/; its exit code and what it printed. */
    private static String promtool(String... args) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertTrue(Files.isExecutable(promtool), "no promtool at " + promtool + ": run bin/ensure-tools (Debian's"
                + " prometheus package)");
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(MONITORING.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool " + List.of(args) + " did not end within 60 s");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + output);
        return output;
    }

    @Test
    void theAlertRulesAreValidAndFireExactlyWhenTheirUnitTestsSay() throws Exception {
        long alerts = Files.readAllLines(ALERTS).stream().filter(l -> l.trim().startsWith("- alert:")).count();
        String checked = promtool("check", "rules", ALERTS.getFileName().toString());
        assertTrue(checked.contains("SUCCESS: " + alerts + " rules found"), "every alert of the file checked: " + checked);
        String tested = promtool("test", "rules", ALERTS_TEST.getFileName().toString());
        assertTrue(tested.contains("SUCCESS"), tested);
        for (String line : Files.readAllLines(ALERTS)) {
            if (line.trim().startsWith("- alert:")) {
                String name = line.trim().substring("- alert:".length()).trim();
                assertTrue(Files.readString(ALERTS_TEST).contains("alertname: " + name), name + " has no unit test");
            }
        }
    }

    @Test
    void theDistributionCarriesTheDashboardAndTheRules() throws Exception {
        Path home = Path.of(System.getProperty("keyway.dist", "../dist/target/keyway-0.1.0-SNAPSHOT"));
        for (Path file : List.of(DASHBOARD, ALERTS, ALERTS_TEST)) {
            Path shipped = home.resolve("monitoring").resolve(file.getFileName());
            assertTrue(Files.exists(shipped), "the distribution at " + home + " has no " + shipped
                    + " (build it with mvn package -pl dist -am)");
            assertEquals(Files.readString(file), Files.readString(shipped), shipped.toString());
        }
    }

}
