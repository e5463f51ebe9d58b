package dev.keyway.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A user's migrations jar, made as a user's build would make it: a {@code MigrationProvider} compiled against the
 * API with the JDK's compiler, packaged with its {@code META-INF/services} entry (or without, to test the error).
 */
public final class UserJar {

    private UserJar() {
    }

    /**
     * A jar whose provider, {@code pkg.Provider}, defines one migration {@code name} over {@code items}: counter + 1.
     *
     * @param withServiceEntry false leaves the provider undeclared (a common mistake)
     */
    public static Path build(Path dir, String pkg, String name, boolean withServiceEntry) throws IOException {
        Path src = dir.resolve("src-" + pkg).resolve(pkg.replace('.', '/'));
        Files.createDirectories(src);
        Path java = src.resolve("Provider.java");
        Files.writeString(java, "package " + pkg + ";\n"
                + "import dev.keyway.migration.Migration;\n"
                + "import dev.keyway.migration.MigrationProvider;\n"
                + "import java.util.List;\n"
                + "public final class Provider implements MigrationProvider {\n"
                + "    @Override public List<Migration> migrations() {\n"
                + "        return List.of(Migration.define(\"" + name + "\", \"items\", (ctx, doc) ->\n"
                + "                ctx.newObject().put(\"counter\", doc.get(\"counter\").asInt() + 1)));\n"
                + "    }\n"
                + "}\n");
        Path classes = dir.resolve("classes-" + pkg);
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                java.toString());
        if (rc != 0) {
            throw new IllegalStateException("javac failed on " + java);
        }
        Path jar = dir.resolve(pkg + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            if (withServiceEntry) {
                out.putNextEntry(new JarEntry("META-INF/services/dev.keyway.migration.MigrationProvider"));
                write(out, pkg + ".Provider\n");
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The names of the migrations of a catalog, for assertions. */
    public static List<String> names(dev.keyway.migration.MigrationCatalog catalog) {
        return catalog.all().stream().map(dev.keyway.migration.Migration::name).toList();
    }
}
