package dev.keyway.coordinator.notify;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A webhook URL as logs may show it: the scheme, the host, the port and the first segment of the path only. A
 * webhook's secret may be anywhere else: in its user info ({@code https://user:token@host}), its query
 * ({@code ?token=...}) or its path (Slack's {@code /services/T000/B000/XXXX}, Discord's {@code /api/webhooks/id/token}),
 * so all of that is replaced by {@code ***}.
 */
public final class RedactedUrl {

    private RedactedUrl() {
    }

    /** {@code https://hooks.slack.com/services/***}; a text that is not a URL at all becomes {@code ***}. */
    public static String of(String url) {
        try {
            URI u = new URI(url);
            if (u.getHost() == null || u.getScheme() == null) {
                return "***";
            }
            String path = u.getRawPath() == null ? "" : u.getRawPath();
            String[] segments = path.split("/");
            String first = segments.length > 1 ? "/" + segments[1] : "";
            boolean more = segments.length > 2 || u.getRawQuery() != null || u.getRawFragment() != null;
            return u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : "***@") + u.getHost()
                    + (u.getPort() < 0 ? "" : ":" + u.getPort()) + first + (more ? "/***" : "");
        } catch (URISyntaxException e) {
            return "***";
        }
    }

    /** {@code text} with every occurrence of {@code url} replaced by its redacted form (an exception's message). */
    static String in(String text, String url) {
        return text == null ? null : text.replace(url, of(url));
    }
}
