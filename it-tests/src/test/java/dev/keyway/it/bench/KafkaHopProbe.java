package dev.keyway.it.bench;

import dev.keyway.cli.LocalKafka;
import dev.keyway.kafka.ExactlyOnceProcessor;
import dev.keyway.kafka.KafkaGateway;
import dev.keyway.kafka.KafkaSettings;
import dev.keyway.kafka.Outbound;
import dev.keyway.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The Kafka part of a batch's cost, without a database: a token bounces between two exactly-once
 * processors (a "worker" on the tasks topic and a "coordinator" on the events topic), each hop one
 * transaction with the consumed offset, as a batch's task and outcome do. Prints the round trip p50/p99.
 *
 * <p>{@code java ... KafkaHopProbe [roundTrips [bootstrap]]}: without a bootstrap address it starts its own
 * broker process (cold: expect slower figures than from a broker that has been running).
 */
public final class KafkaHopProbe {

    public static void main(String[] args) throws Exception {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        if (args.length > 1) { // a broker that is already running (and warm)
            report(run(args[1], roundTrips));
            System.exit(0);
        }
        Path dir = Files.createDirectories(Path.of("target", "bench", "hop-kafka")).toAbsolutePath();
        try (LocalKafka broker = LocalKafka.start(dir, BackfillBenchmark.freePort(), BackfillBenchmark.freePort(), System.getProperty("java.class.path"))) {
            report(run(broker.bootstrapServers(), roundTrips));
        }
        System.exit(0);
    }

    private static void report(List<Long> micros) {
        Collections.sort(micros);
        System.out.printf("round trips %d: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms%n", micros.size(),
                micros.get(micros.size() / 2) / 1000.0, micros.get(micros.size() * 9 / 10) / 1000.0,
                micros.get(micros.size() * 99 / 100) / 1000.0);
    }

    static List<Long> run(String bootstrap, int roundTrips) throws Exception {
        KafkaSettings settings = KafkaSettings.defaults().withBootstrapServers(bootstrap).withTopicPrefix("hop.");
        Topics t = settings.topics();
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        int warmup = Math.min(200, roundTrips);
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch workerAssigned = new CountDownLatch(1);
        CountDownLatch coordinatorAssigned = new CountDownLatch(1);
        long[] last = {0};
        try (KafkaGateway kafka = KafkaGateway.connect(settings, Duration.ofSeconds(30))) {
            kafka.ensureTopics();
            ExactlyOnceProcessor worker = kafka.processor("hop-worker", List.of(t.tasks()), 4);
            ExactlyOnceProcessor coordinator = kafka.processor("hop-coordinator", List.of(t.events()), 1);
            long[] workerSeen = {0};
            List<Long> toWorker = Collections.synchronizedList(new ArrayList<>());
            List<Long> toCoordinator = Collections.synchronizedList(new ArrayList<>());
            Disposable w = worker.run(in -> {
                workerSeen[0] = System.nanoTime();
                if (last[0] != 0) {
                    toWorker.add((workerSeen[0] - last[0]) / 1000);
                }
                return Mono.just(List.of(new Outbound(t.events(), "m", in.value())));
            }, workerAssigned::countDown).subscribe();
            Disposable c = coordinator.run(in -> {
                int n = Integer.parseInt(new String(in.value(), StandardCharsets.UTF_8));
                long now = System.nanoTime();
                toCoordinator.add((now - workerSeen[0]) / 1000);
                if (n > warmup) {
                    micros.add((now - last[0]) / 1000);
                }
                last[0] = now;
                if (n >= roundTrips + warmup) {
                    done.countDown();
                    return Mono.just(List.<Outbound>of());
                }
                return Mono.just(List.of(new Outbound(t.tasks(), "m",
                        String.valueOf(n + 1).getBytes(StandardCharsets.UTF_8))));
            }, coordinatorAssigned::countDown).subscribe();
            if (!workerAssigned.await(60, TimeUnit.SECONDS) || !coordinatorAssigned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the probe's two groups were not assigned their partitions within 60 s");
            }
            kafka.publish(List.of(new Outbound(t.tasks(), "m", "1".getBytes(StandardCharsets.UTF_8)))).block();
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("probe did not finish; " + micros.size() + " round trips");
            }
            Collections.sort(toWorker);
            Collections.sort(toCoordinator);
            System.out.printf("hop coordinator->worker p50 %.1f ms, worker->coordinator p50 %.1f ms%n",
                    toWorker.get(toWorker.size() / 2) / 1000.0, toCoordinator.get(toCoordinator.size() / 2) / 1000.0);
            w.dispose();
            c.dispose();
        }
        return new ArrayList<>(micros);
    }
}
