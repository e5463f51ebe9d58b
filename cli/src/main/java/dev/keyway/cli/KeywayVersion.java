package dev.keyway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The version of this build, as Maven wrote it into {@code keyway-version.properties} (a filtered resource of the
 * cli module): {@code --version} prints it, so it never falls behind the build as a string in the code would.
 */
final class KeywayVersion implements CommandLine.IVersionProvider {

    static final String RESOURCE = "keyway-version.properties";

    /** This build's version, such as {@code 0.1.0-SNAPSHOT}. */
    static String current() {
        try (InputStream in = KeywayVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: a build of the cli module"
                        + " writes it");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"keyway " + current()};
    }
}
