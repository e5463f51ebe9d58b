package dev.keyway.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time spent by processes, from Linux's {@code /proc/<pid>/stat} (user + system time): what each
 * part of a contender costs on a machine where they all share the cores. Elsewhere every figure is -1.
 */
final class CpuTime {

    /** Linux reports these times in clock ticks; USER_HZ is 100 on every mainstream architecture. */
    private static final double MILLIS_PER_TICK = 10.0;

    private CpuTime() {
    }

    /** CPU milliseconds of one process so far, or -1 if it cannot be read (gone, or not Linux). */
    static long ofProcess(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count fields after it
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Math.round((Long.parseLong(f[11]) + Long.parseLong(f[12])) * MILLIS_PER_TICK);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU milliseconds so far of every PostgreSQL process (postmaster, background processes, backends), by pid. */
    static Map<Long, Long> ofPostgres() {
        Map<Long, Long> out = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    if (Files.readString(p.resolve("comm")).trim().equals("postgres")) {
                        long pid = Long.parseLong(p.getFileName().toString());
                        long ms = ofProcess(pid);
                        if (ms >= 0) {
                            out.put(pid, ms);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /**
     * CPU milliseconds so far of a database server that is one process (MariaDB's {@code mariadbd}, whose sessions are
     * threads), as {@link #ofPostgres} gives them; empty when it cannot be read.
     */
    static Map<Long, Long> ofServer(long pid) {
        long ms = ofProcess(pid);
        return ms < 0 ? Map.of() : Map.of(pid, ms);
    }

    /**
     * A database's CPU milliseconds between two snapshots ({@link #ofPostgres}, {@link #ofServer}); backends that started
     * in between count from zero.
     */
    static long between(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }
}
