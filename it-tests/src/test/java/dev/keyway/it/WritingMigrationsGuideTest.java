package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.UserProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/WRITING-MIGRATIONS.md shows the user project {@code docs/user-project} file for file, and the project builds
 * with what this repository builds with: the guide cannot drift from the project that OutsideReactorIT builds and
 * runs, nor the project from Keyway's version and plugins.
 */
class WritingMigrationsGuideTest {

    /** A file of the project as the guide shows it: {@code <!-- file: PATH -->} and a fenced block. */
    private static final Pattern FILE_BLOCK = Pattern.compile("<!-- file: (\\S+) -->\\n```[a-z]*\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern PLUGIN = Pattern.compile(
            "<artifactId>(maven-[a-z-]+-plugin)</artifactId><version>([^<]+)</version>");

    private static Map<String, String> guideFiles() throws IOException {
        String guide = Files.readString(UserProject.sourceRoot().resolve("docs").resolve("WRITING-MIGRATIONS.md"));
        Map<String, String> shown = new LinkedHashMap<>();
        Matcher m = FILE_BLOCK.matcher(guide);
        while (m.find()) {
            assertFalse(shown.containsKey(m.group(1)), "the guide shows " + m.group(1) + " twice");
            shown.put(m.group(1), m.group(2));
        }
        return shown;
    }

    @Test
    void theGuideShowsEveryFileOfTheProjectExactlyAsItIs() throws IOException {
        Map<String, String> shown = guideFiles();
        List<Path> files = UserProject.templateFiles();
        assertEquals(files.stream().map(f -> f.toString().replace('\\', '/')).sorted().toList(),
                shown.keySet().stream().sorted().toList(), "the guide shows each file of docs/user-project once");
        for (Path f : files) {
            assertEquals(Files.readString(UserProject.template().resolve(f)), shown.get(f.toString().replace('\\', '/')),
                    "docs/WRITING-MIGRATIONS.md differs from docs/user-project/" + f + ": change both");
        }
    }

    @Test
    void theProjectUsesThisKeywayVersionAndTheRepositorysPluginVersions() throws IOException {
        String project = Files.readString(UserProject.template().resolve("pom.xml"));
        String root = Files.readString(UserProject.sourceRoot().resolve("pom.xml"));
        assertTrue(project.contains("<keyway.version>" + System.getProperty("keyway.version") + "</keyway.version>"),
                "docs/user-project/pom.xml must name Keyway's version " + System.getProperty("keyway.version"));
        Map<String, String> rootPlugins = plugins(root);
        Map<String, String> projectPlugins = plugins(project);
        assertTrue(projectPlugins.keySet().containsAll(List.of("maven-resources-plugin", "maven-compiler-plugin",
                "maven-surefire-plugin", "maven-jar-plugin")), "the plugins of mvn package are pinned: " + projectPlugins);
        projectPlugins.forEach((plugin, version) -> assertEquals(rootPlugins.get(plugin), version,
                plugin + " of docs/user-project/pom.xml must be the root pom's (it is in the local repository, so the"
                        + " project builds offline)"));
        Matcher junit = Pattern.compile("<junit.version>([^<]+)</junit.version>").matcher(root);
        assertTrue(junit.find());
        assertTrue(project.contains("<junit.version>" + junit.group(1) + "</junit.version>"),
                "docs/user-project uses the root pom's JUnit " + junit.group(1));
    }

    private static Map<String, String> plugins(String pom) {
        Map<String, String> plugins = new LinkedHashMap<>();
        Matcher m = PLUGIN.matcher(pom);
        while (m.find()) {
            plugins.put(m.group(1), m.group(2));
        }
        return plugins;
    }
}
