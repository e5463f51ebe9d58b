package dev.keyway.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the services' CPU went, from the Java Flight Recorder files {@code bin/bench --jfr DIR} makes (one per service
 * process): the execution samples of every file whose process ran {@code WorkerMain} (or all files with
 * {@code --all}), counted by their top frame (self time) and by every distinct method on their stack (total time),
 * the top N of each printed with its share of the samples. Usage: {@code JfrTopFrames DIR [N] [--all]}.
 */
public final class JfrTopFrames {

    private JfrTopFrames() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int top = args.length > 1 && !args[1].startsWith("--") ? Integer.parseInt(args[1]) : 25;
        boolean all = List.of(args).contains("--all");
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        int samples = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jfr")).sorted().toList();
        }
        int used = 0;
        for (Path file : files) {
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            boolean worker = events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.JVMInformation")
                    && e.getString("javaArguments") != null && e.getString("javaArguments").contains("WorkerMain"));
            if (!all && !worker) {
                continue;
            }
            used++;
            for (RecordedEvent e : events) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                List<RecordedFrame> frames = st.getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                samples++;
                self.merge(method(frames.get(0)), 1, Integer::sum);
                frames.stream().map(JfrTopFrames::method).distinct().forEach(m -> total.merge(m, 1, Integer::sum));
            }
        }
        System.out.printf(Locale.ROOT, "%d execution samples from %d of %d recordings in %s%n", samples, used,
                files.size(), dir);
        print("self (top frame)", self, samples, top);
        print("total (on the stack)", total, samples, top);
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println(title + ":");
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (Map.Entry<String, Integer> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey());
        }
    }
}
