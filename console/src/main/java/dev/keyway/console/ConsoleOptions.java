package dev.keyway.console;

import java.net.InetAddress;

/**
 * Where the console listens and who may use it.
 *
 * @param bind the address it listens on; {@link #DEFAULT_BIND} (this machine only) by default. Any other address
 *     requires a token or basic auth: the constructor refuses an {@link ConsoleAccess#open() open} console there
 * @param port the port, 0 = any free one; {@link #DEFAULT_PORT} by default
 * @param access who may use it
 * @param host this machine's name, for {@code requestedBy} ({@code "alice via console@host"})
 */
public record ConsoleOptions(InetAddress bind, int port, ConsoleAccess access, String host) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;

    public ConsoleOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
        }
        if (bind == null || access == null) {
            throw new IllegalArgumentException("bind and access must be given");
        }
        if (access.isOpen() && !bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("the console would listen on " + bind.getHostAddress()
                    + ", beyond this machine, without authentication: give a token (KEYWAY_CONSOLE_TOKEN or"
                    + " --token-file FILE) or --basic-auth-file FILE, or bind it to " + DEFAULT_BIND);
        }
        host = host == null || host.isBlank() ? "localhost" : host;
    }

    /** This machine only, on the default port, no authentication. */
    public static ConsoleOptions local(int port) {
        return new ConsoleOptions(InetAddress.getLoopbackAddress(), port, ConsoleAccess.open(), null);
    }
}
