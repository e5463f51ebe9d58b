package dev.keyway.coordinator.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the coordinator sends notifications: {@code NOTIFY_URL}, told about every run, and named targets
 * {@code NOTIFY_URL_<NAME>}, told about the runs that name them ({@code run --notify name}). Names are lower case. The
 * URLs stay in the coordinator's environment: they carry secrets, and the topics, where a run names its targets, are
 * readable by every client.
 *
 * @param all the URL told about every run, or null
 * @param named the named targets' URLs, by lower-case name
 */
public record NotifyTargets(URI all, Map<String, URI> named) {

    static final String VARIABLE = "NOTIFY_URL";

    public NotifyTargets {
        named = Map.copyOf(new TreeMap<>(named));
    }

    public static NotifyTargets none() {
        return new NotifyTargets(null, Map.of());
    }

    /**
     * Reads {@code NOTIFY_URL} and every {@code NOTIFY_URL_<NAME>} of {@code env}.
     *
     * @throws IllegalArgumentException naming the variable (never its value) when one is not an http(s) URL
     */
    public static NotifyTargets fromEnv(Map<String, String> env) {
        URI all = null;
        Map<String, URI> named = new TreeMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String var = e.getKey();
            if (e.getValue() == null || e.getValue().isBlank()) {
                continue;
            }
            if (var.equals(VARIABLE)) {
                all = url(var, e.getValue());
            } else if (var.startsWith(VARIABLE + "_") && var.length() > VARIABLE.length() + 1) {
                named.put(var.substring(VARIABLE.length() + 1).toLowerCase(Locale.ROOT), url(var, e.getValue()));
            }
        }
        return new NotifyTargets(all, named);
    }

    private static URI url(String variable, String value) {
        try {
            URI u = new URI(value.trim());
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new URISyntaxException(RedactedUrl.of(value), "not an http or https URL with a host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(variable + " must be an http or https URL (e.g."
                    + " https://hooks.slack.com/services/...), but was " + RedactedUrl.of(value)
                    + " (shown redacted); fix it or unset it");
        }
    }

    /** The names a run may give ({@code run --notify}). */
    public Set<String> names() {
        return named.keySet();
    }

    public boolean isEmpty() {
        return all == null && named.isEmpty();
    }

    /** For the log: each target with its URL redacted. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (all != null) {
            b.append("every run: ").append(RedactedUrl.of(all.toString()));
        }
        named.forEach((name, url) -> b.append(b.isEmpty() ? "" : ", ").append(name).append(": ")
                .append(RedactedUrl.of(url.toString())));
        return b.isEmpty() ? "none" : b.toString();
    }
}
