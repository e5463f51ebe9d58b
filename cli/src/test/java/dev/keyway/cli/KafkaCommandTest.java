package dev.keyway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bin/migrate kafka stop} says what it stopped, and when it stopped nothing (issue 16). */
class KafkaCommandTest {

    @TempDir
    Path dir;

    @Test
    void stopSaysWhenNothingWasStoppedAndWhichDirectoryItLookedIn() {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new LocalCommands.Kafka()).execute("stop", "--dir", dir.toString());
        } finally {
            System.setOut(before);
        }
        assertEquals(0, exit, "nothing to stop is not an error");
        String said = out.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("no Kafka broker of " + dir + " runs: nothing was stopped"), said);
    }
}
