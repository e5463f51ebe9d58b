package dev.keyway.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** The checks of a request's headers and body that every state-changing request passes. */
final class RequestChecks {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private RequestChecks() {
    }

    /** Whether the request names this machine in its {@code Host} (a DNS-rebound name does not). */
    static boolean addressedToLoopback(Headers h) {
        String host = h.getFirst("Host");
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        int colon = name.lastIndexOf(':');
        if (colon > 0 && name.indexOf(']') < colon) {
            name = name.substring(0, colon);
        }
        return LOOPBACK_NAMES.contains(name);
    }

    /**
     * Why the request is not from a page of this console ({@code Sec-Fetch-Site} other than same-origin, an
     * {@code Origin} other than this host's), or null when it is or does not say (a client that is not a browser).
     */
    static String crossSite(Headers h) {
        String site = h.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return "a cross-site request (Sec-Fetch-Site: " + site + ")";
        }
        String origin = h.getFirst("Origin");
        String host = h.getFirst("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            return "a request from another origin (" + origin + ")";
        }
        return null;
    }

    /** The body of a same-origin POST of {@code type}, at most {@code max} bytes; null after answering why not. */
    static byte[] body(HttpExchange x, String type, int max) throws IOException {
        String cross = crossSite(x.getRequestHeaders());
        if (cross != null) {
            ConsoleServer.sendJson(x, 403, ConsoleJson.error(cross + " is refused: use the console's own page"));
            return null;
        }
        String given = x.getRequestHeaders().getFirst("Content-Type");
        if (given == null || !given.toLowerCase(Locale.ROOT).startsWith(type)) {
            ConsoleServer.sendJson(x, 415, ConsoleJson.error("the body must be " + type + ", but was "
                    + (given == null ? "not typed" : given)));
            return null;
        }
        byte[] body = x.getRequestBody().readNBytes(max + 1);
        if (body.length > max) {
            x.getResponseHeaders().set("Connection", "close");
            ConsoleServer.sendJson(x, 413, ConsoleJson.error("the body must be at most " + max + " bytes"));
            return null;
        }
        return body;
    }

    /** A field of an {@code application/x-www-form-urlencoded} body, or null. */
    static String formField(byte[] body, String name) {
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
