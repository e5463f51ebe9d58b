package dev.keyway.migration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's jar whose services file names a provider that cannot be used is refused naming the jar and the class. */
class MigrationCatalogTest {

    @TempDir
    Path dir;

    /** A provider whose construction fails, as one with a definition that breaks a rule in a static field does. */
    public static final class FailingProvider implements MigrationProvider {
        public FailingProvider() {
            throw new IllegalArgumentException("name must be 1-200 letters, digits or _ - . :, but was 'a b'");
        }

        @Override
        public List<Migration> migrations() {
            return List.of();
        }
    }

    private Path jarNaming(String provider) throws IOException {
        Path jar = dir.resolve("user.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + MigrationProvider.class.getName()));
            out.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aProviderClassMissingFromTheJarIsRefusedNamingTheJarAndTheClass() throws IOException {
        Path jar = jarNaming("com.example.migrations.Typo");
        String error = assertThrows(IllegalArgumentException.class,
                () -> MigrationCatalog.fromClasspathAnd(jar.toString())).getMessage();
        assertTrue(error.contains(jar.toString()) && error.contains("com.example.migrations.Typo")
                && error.contains("not found") && error.contains("public class"), error);
    }

    @Test
    void aProviderThatCannotBeMadeIsRefusedWithItsOwnError() throws IOException {
        Path jar = jarNaming(FailingProvider.class.getName());
        String error = assertThrows(IllegalArgumentException.class,
                () -> MigrationCatalog.fromClasspathAnd(jar.toString())).getMessage();
        assertTrue(error.contains(jar.toString()) && error.contains("FailingProvider")
                && error.contains("but was 'a b'"), error);
    }
}
