package dev.keyway.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsOptionTest {

    @TempDir
    Path dir;

    @Test
    void aServiceWithoutAnyMigrationIsRefusedWithWhatToGiveIt() throws Exception {
        // this module's test classpath holds no MigrationProvider, like a distribution started without --examples
        Path empty = Files.createDirectories(dir.resolve("migrations"));
        String m = assertThrows(IllegalArgumentException.class,
                () -> MigrationsOption.catalog(new String[] {"--migrations", empty.toString()}, Map.of())).getMessage();
        assertTrue(m.contains("no migrations found (no jar in " + empty + ")") && m.contains("--examples"), m);
        String none = assertThrows(IllegalArgumentException.class,
                () -> MigrationsOption.catalog(new String[0], Map.of())).getMessage();
        assertTrue(none.startsWith("no migrations found:") && none.contains("KEYWAY_MIGRATIONS"), none);
    }

    @Test
    void aMissingPathIsNamedAndTheOptionOverridesTheEnvironment() {
        String m = assertThrows(IllegalArgumentException.class, () -> MigrationsOption.catalog(
                new String[] {"--migrations=" + dir.resolve("nope.jar")}, Map.of("KEYWAY_MIGRATIONS", "/elsewhere"))).getMessage();
        assertTrue(m.contains("nope.jar") && m.contains("does not exist"), m);
    }
}
