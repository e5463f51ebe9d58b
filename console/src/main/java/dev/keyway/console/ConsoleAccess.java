package dev.keyway.console;

import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may use the console: anyone who can reach it ({@link #open()}: only when it listens on the loopback interface),
 * the holders of a token (a bearer header, or the cookie the login form sets), or the users of a basic-auth file.
 * Every secret is compared in constant time ({@link MessageDigest#isEqual}). Immutable, thread-safe.
 */
public final class ConsoleAccess {

    /** The cookie the login form sets: a MAC of the token under a key of this process (not the token itself). */
    public static final String COOKIE = "keyway_console";
    /** The shortest token accepted. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private enum Kind { OPEN, TOKEN, BASIC }

    private final Kind kind;
    private final byte[] token;
    private final Map<String, byte[]> users;
    private final byte[] cookieKey = new byte[32];

    private ConsoleAccess(Kind kind, String token, Map<String, String> users) {
        this.kind = kind;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> u = new LinkedHashMap<>();
        users.forEach((name, password) -> u.put(name, password.getBytes(StandardCharsets.UTF_8)));
        this.users = Map.copyOf(u);
        new SecureRandom().nextBytes(cookieKey);
    }

    /** No authentication: allowed only on the loopback interface ({@link ConsoleOptions}). */
    public static ConsoleAccess open() {
        return new ConsoleAccess(Kind.OPEN, null, Map.of());
    }

    /** A shared token, at least {@value #MIN_TOKEN_LENGTH} characters. */
    public static ConsoleAccess token(String token) {
        String t = token == null ? "" : token.strip();
        if (t.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the console token must be at least " + MIN_TOKEN_LENGTH
                    + " characters, but was " + t.length() + ": make one with `openssl rand -hex 24`");
        }
        return new ConsoleAccess(Kind.TOKEN, t, Map.of());
    }

    /** HTTP basic auth against these users and passwords. */
    public static ConsoleAccess basic(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("the basic-auth file names no user: give lines of user:password");
        }
        return new ConsoleAccess(Kind.BASIC, null, users);
    }

    /** A token read from a file (its first line). */
    public static ConsoleAccess tokenFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return token(text.lines().findFirst().orElse(""));
    }

    /** Basic auth from a file of {@code user:password} lines; blank lines and lines starting with # are skipped. */
    public static ConsoleAccess basicFile(Path file) throws IOException {
        Map<String, String> users = new LinkedHashMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0 || colon == l.length() - 1) {
                throw new IllegalArgumentException(file + " line " + n + " is not user:password");
            }
            users.put(l.substring(0, colon), l.substring(colon + 1));
        }
        return basic(users);
    }

    public boolean isOpen() {
        return kind == Kind.OPEN;
    }

    boolean usesBasic() {
        return kind == Kind.BASIC;
    }

    boolean usesToken() {
        return kind == Kind.TOKEN;
    }

    /**
     * Who the request is from: the basic-auth user, {@code ""} for an open console or a token holder; null when
     * refused.
     */
    String principal(Headers h) {
        return switch (kind) {
            case OPEN -> "";
            case TOKEN -> bearer(h) || cookie(h) ? "" : null;
            case BASIC -> basicUser(h);
        };
    }

    /** Whether {@code given} is the token. */
    boolean isToken(String given) {
        return kind == Kind.TOKEN && given != null
                && MessageDigest.isEqual(token, given.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The value of the session cookie for token holders. */
    String cookieValue() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cookieKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(token));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private boolean bearer(Headers h) {
        String auth = h.getFirst("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && isToken(auth.substring(7));
    }

    private boolean cookie(Headers h) {
        byte[] expected = cookieValue().getBytes(StandardCharsets.UTF_8);
        for (String header : h.getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith(COOKIE + "=") && MessageDigest.isEqual(expected,
                        p.substring(COOKIE.length() + 1).getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
        }
        return false;
    }

    private String basicUser(Headers h) {
        String auth = h.getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        byte[] given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        // compare against something even for an unknown user, so that timing does not tell which users exist
        byte[] expected = users.getOrDefault(user, cookieKey);
        return MessageDigest.isEqual(expected, given) && users.containsKey(user) ? user : null;
    }
}
