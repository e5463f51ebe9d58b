package dev.keyway.cli;

import dev.keyway.client.MigrationsClient;
import dev.keyway.console.ClientMigrations;
import dev.keyway.console.ConsoleAccess;
import dev.keyway.console.ConsoleOptions;
import dev.keyway.console.ConsoleServer;
import dev.keyway.kafka.KafkaGateway;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code console}: serves the operator's console ({@link ConsoleServer}) until stopped. On 127.0.0.1 by default;
 * any other address needs a token ({@code KEYWAY_CONSOLE_TOKEN} or {@code --token-file}) or {@code --basic-auth-file}.
 */
@CommandLine.Command(name = "console", description = "Serves the operator's console: every migration live, its"
        + " segments, rate and failed batch, and controls (run, dry run, pause, resume, cancel, retry, configure).")
final class ConsoleCommand implements Callable<Integer> {

    /** The variable that holds the console's token, when no --token-file is given. */
    static final String TOKEN_VARIABLE = "KEYWAY_CONSOLE_TOKEN";

    @CommandLine.Mixin
    KafkaOptions broker;
    @Option(names = "--port", paramLabel = "PORT", description = "the port to serve on (default ${DEFAULT-VALUE})")
    int port = ConsoleOptions.DEFAULT_PORT;
    @Option(names = "--bind", paramLabel = "ADDRESS", description = "the address to listen on (default ${DEFAULT-VALUE}:"
            + " this machine only); any other needs a token or basic auth")
    String bind = ConsoleOptions.DEFAULT_BIND;
    @Option(names = "--token-file", paramLabel = "FILE", description = "a file whose first line is the token (else "
            + TOKEN_VARIABLE + "); given as an Authorization: Bearer header or on the login form")
    Path tokenFile;
    @Option(names = "--basic-auth-file", paramLabel = "FILE", description = "a file of user:password lines: HTTP basic"
            + " auth, and the user is recorded as who acted")
    Path basicAuthFile;

    @Override
    public Integer call() throws IOException, InterruptedException {
        return serve(broker, bind, port, access(tokenFile, basicAuthFile, broker.environment().get(TOKEN_VARIABLE)),
                System.out);
    }

    /** Who may use the console: basic auth, a token file, the token variable, else nobody beyond this machine. */
    static ConsoleAccess access(Path tokenFile, Path basicAuthFile, String tokenVariable) throws IOException {
        if (tokenFile != null && basicAuthFile != null) {
            throw new IllegalArgumentException("give --token-file or --basic-auth-file, not both");
        }
        if (basicAuthFile != null) {
            return ConsoleAccess.basicFile(basicAuthFile);
        }
        if (tokenFile != null) {
            return ConsoleAccess.tokenFile(tokenFile);
        }
        return tokenVariable == null || tokenVariable.isBlank() ? ConsoleAccess.open() : ConsoleAccess.token(tokenVariable);
    }

    /** Serves until the process is stopped. */
    static int serve(KafkaOptions broker, String bind, int port, ConsoleAccess access, PrintStream out)
            throws IOException, InterruptedException {
        ConsoleOptions options = new ConsoleOptions(InetAddress.getByName(bind), port, access, KeywayCli.host());
        try (KafkaGateway kafka = broker.connect();
             ConsoleServer console = new ConsoleServer(options,
                     new ClientMigrations(new MigrationsClient(kafka), broker.settings()))) {
            out.println("console at http://" + bind + ":" + console.port() + "/"
                    + (access.isOpen() ? " (this machine only)" : "") + " (Ctrl-C stops)");
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
