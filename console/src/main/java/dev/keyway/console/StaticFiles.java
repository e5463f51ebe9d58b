package dev.keyway.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The page's files, from this module's resources ({@code dev/keyway/console/}): written by hand, no build step,
 * nothing fetched from elsewhere. The script, the style sheet and the login form are public (they hold no secret);
 * the page itself carries the CSRF token and is served by {@link ConsoleServer} to those let in.
 */
final class StaticFiles {

    private static final Map<String, String> PUBLIC = Map.of(
            "/console.js", "text/javascript; charset=utf-8",
            "/console.css", "text/css; charset=utf-8",
            "/login.html", "text/html; charset=utf-8");

    private StaticFiles() {
    }

    static boolean isPublic(String path) {
        return PUBLIC.containsKey(path);
    }

    static void serve(HttpExchange x, String path) throws IOException {
        ConsoleServer.send(x, 200, PUBLIC.get(path), text(path.substring(1)));
    }

    static String text(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from its jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
