package dev.storagelab.workbench.workloads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a run's processor time went, thread by thread: each thread of this process, the JVM's own
 * included (the JIT's compiler threads, the collector's), with the time it ran and the time it was
 * ready to run but waited for a core, from Linux's {@code /proc/self/task/TID/schedstat}. A reader
 * that is never blocked and still serves fewer gets than its peer's got less of the processors, and
 * this says who had them. Java's own thread CPU times ({@code ThreadMXBean}) leave out the JVM's
 * threads and say nothing of waiting.
 *
 * <p>Threads are grouped by the name the kernel knows them by ({@code comm}: a Java thread's name
 * cut to 15 bytes), with a trailing number dropped ({@code GC Thread#1} counts as {@code GC
 * Thread}). A thread that started between two samples counts from zero, as does one whose name
 * changed (the kernel learns a Java thread's name only once the thread first runs, so a thread
 * sampled just after its start may still bear its parent's); one that ended between them is
 * missing, so a run samples before it stops its own threads. Elsewhere than Linux, and where
 * the kernel keeps no scheduler statistics, a sample is empty.
 */
public final class ThreadTimes {

    private static final Path TASKS = Path.of("/proc/self/task");

    /**
     * The fewest seconds that print as 0.01 at two decimals: a group that ran and waited less is left
     * out of printed tables.
     */
    public static final double PRINTED_SECONDS = 0.005;

    /** One thread at one moment: its name, and the nanoseconds it has run and waited for a core since it started. */
    public record Sample(String name, long runNanos, long waitNanos) {}

    /** A group of threads over an interval: how many, and the seconds they ran and waited for a core. */
    public record Times(int threads, double cpuSeconds, double waitSeconds) {}

    private ThreadTimes() {}

    /** Every thread of this process now, by thread id; empty where {@code /proc/self/task} is not there to read. */
    public static Map<Long, Sample> sample() {
        Map<Long, Sample> now = new HashMap<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                Sample s = read(task);
                if (s != null) {
                    now.put(Long.parseLong(task.getFileName().toString()), s);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return Map.of(); // no such directory, or it cannot be listed: no figures rather than wrong ones
        }
        return now;
    }

    /** One thread's sample, or null if it ended while being read or its figures do not parse. */
    private static Sample read(Path task) {
        try {
            String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8)
                    .strip();
            String[] f = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII)
                    .strip()
                    .split("\\s+");
            return f.length < 2 ? null : new Sample(name, Long.parseLong(f[0]), Long.parseLong(f[1]));
        } catch (IOException | NumberFormatException e) {
            return null; // the thread ended between the listing and the read
        }
    }

    /**
     * What each group of threads did between {@code before} and {@code after}, the group that ran
     * longest first. A thread in {@code after} alone started in between and counts from zero.
     */
    public static Map<String, Times> between(Map<Long, Sample> before, Map<Long, Sample> after) {
        Map<String, long[]> sums = new HashMap<>(); // threads, run, wait
        after.forEach((tid, a) -> {
            Sample b = before.get(tid);
            boolean same = b != null && b.name().equals(a.name()) && b.runNanos() <= a.runNanos();
            long[] s = sums.computeIfAbsent(group(a.name()), k -> new long[3]);
            s[0]++;
            s[1] += a.runNanos() - (same ? b.runNanos() : 0);
            s[2] += a.waitNanos() - (same ? b.waitNanos() : 0);
        });
        List<Map.Entry<String, long[]>> byCpu = new ArrayList<>(sums.entrySet());
        byCpu.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1])
                .thenComparing(Map.Entry::getKey));
        Map<String, Times> times = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : byCpu) {
            long[] s = e.getValue();
            times.put(e.getKey(), new Times((int) s[0], s[1] / 1e9, Math.max(0, s[2]) / 1e9));
        }
        return times;
    }

    /** A thread's group: its name without a trailing number (and the {@code #} or space before it). */
    static String group(String name) {
        String g = name.replaceFirst("[#\\s]*\\d+$", "");
        return g.isEmpty() ? name : g;
    }
}
