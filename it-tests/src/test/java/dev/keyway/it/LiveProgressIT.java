package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.migration.Migration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bin/migrate status --watch} as its own process, its output a file (so plain lines): it follows a paused
 * migration until it has ended, exits 0 when it succeeded and 1 when it was canceled, and at once when it had already
 * ended.
 */
class LiveProgressIT {

    private static final int ROWS = 1_000;
    /** counter := counter + 1, 10 ms a row (5 s a segment): long enough to pause it before it ends. */
    private static final Migration SLOW = TestMigrations.slowPlusOne("slow", 10).withBatchSize(50).withSegments(2);
    private static final Path LOGS = Path.of("target", "it-logs", "live-progress");

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);
    private final List<ServiceProcess> watches = new java.util.ArrayList<>();

    @AfterEach
    void stopWatches() throws InterruptedException {
        for (ServiceProcess w : watches) {
            w.stop();
        }
    }

    @Test
    void statusWatchFollowsAPausedMigrationUntilItEndsAndExitsWithItsOutcome() throws Exception {
        ServiceHarness h = items.services(2, SLOW);
        assertInstanceOf(Event.CommandAccepted.class, h.send(Command.Run.of("slow")));
        h.client().awaitStatus(s -> s.name().equals("slow") && s.progress().processed() >= 100, ServiceHarness.TIMEOUT);
        assertInstanceOf(Event.CommandAccepted.class, h.send(new Command.Pause("slow")));

        ServiceProcess watch = watch(h, "watch-success", "status", "slow", "--watch");
        awaitOutput(watch, "paused by operator");
        assertTrue(watch.isAlive(), "a paused migration may be resumed: the watch goes on");
        assertInstanceOf(Event.CommandAccepted.class, h.send(new Command.Resume("slow")));
        assertEquals(0, watch.await(90), watch.output());
        String out = watch.output();
        assertTrue(out.lines().anyMatch(l -> l.matches("slow  [1-8]?[0-9]%  - rows/s  ETA -  0/2 seg  paused by operator")),
                out);
        assertTrue(out.lines().anyMatch(l -> l.matches("slow  100%  [0-9,]+ rows/s  ETA -  2/2 seg  success")), out);
        assertFalse(out.contains("\u001b"), "no escape code when the output is not a terminal: " + out);
        assertEquals(0, items.sql().itemsNotAt(1), "every row once");

        ServiceProcess ended = watch(h, "watch-ended", "status", "slow", "--watch");
        assertEquals(0, ended.await(30), ended.output());
        assertEquals(1, ended.output().lines().filter(l -> l.startsWith("slow ")).count(), ended.output());

        long again = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, h.send(Command.Run.of("slow").withStartAt(
                Command.StartAt.beginning())));
        h.client().awaitStatus(s -> s.name().equals("slow") && s.updatedAt() >= again
                && s.state() == MigrationState.IN_PROGRESS && s.progress().processed() >= 100, ServiceHarness.TIMEOUT);
        assertInstanceOf(Event.CommandAccepted.class, h.send(new Command.Pause("slow")));
        ServiceProcess all = watch(h, "watch-canceled", "status", "--watch");
        awaitOutput(all, "paused by operator");
        assertInstanceOf(Event.CommandAccepted.class, h.send(new Command.Cancel("slow")));
        assertEquals(1, all.await(60), all.output());
        assertTrue(all.output().contains("canceled"), all.output());
    }

    private ServiceProcess watch(ServiceHarness h, String name, String... args) {
        KafkaSettings k = h.kafka().settings();
        ServiceProcess p = ServiceProcess.start(name, "dev.keyway.cli.KeywayCli", Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", k.bootstrapServers(), "TOPIC_PREFIX", k.topicPrefix()), LOGS, args);
        watches.add(p);
        return p;
    }

    private static void awaitOutput(ServiceProcess p, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!p.output().contains(text)) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                throw new AssertionError("no '" + text + "' in the output of the watch: " + p.output());
            }
            Thread.sleep(100); // polls the log file until the deadline
        }
    }
}
