package dev.keyway.runtime;

import dev.keyway.kafka.KafkaAccessDeniedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** Runs a long-lived service pipeline in a {@code main} until the JVM is asked to stop (SIGTERM, Ctrl-C). */
public final class ServiceRunner {

    private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);

    private ServiceRunner() {
    }

    /**
     * Reads a part of a service's configuration; a mistake in it (an {@link IllegalArgumentException}: a bad
     * variable, a migrations path that cannot be used) ends the process with exit code 2 and one line saying what
     * to fix, instead of a stack trace.
     */
    public static <T> T configure(String name, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            log.error("{} cannot start: {}", name, e.getMessage());
            System.exit(2);
            throw e; // not reached
        }
    }

    /**
     * Subscribes to {@code service} and blocks until it ends or the JVM shuts down; on shutdown the
     * pipeline is cancelled (so its consumer leaves the group) and then {@code onStop} runs.
     *
     * @throws RuntimeException the error the service ended with (a {@link KafkaAccessDeniedException} when Kafka
     *     refused it, which says what to grant), so that {@code main} can exit with a failure code
     */
    public static void runUntilStopped(String name, Mono<Void> service, Runnable onStop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Disposable running = service
                .doFinally(s -> stopped.countDown())
                .subscribe(v -> { }, e -> {
                    failure.set(e);
                    if (!(e instanceof KafkaAccessDeniedException)) {
                        // an unexpected end: its stack trace helps; a refusal's message says it all
                        log.error("{} stopped: {}", name, e.toString(), e);
                    }
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.dispose();
            onStop.run();
        }, name + "-stop"));
        stopped.await();
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e != null) {
            throw new IllegalStateException(name + " stopped: " + e, e);
        }
    }
}
