package dev.storagelab.grader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A test's own time, which its deadline counts: the wall time less the time the test stood ready
 * to run while the machine's CPUs ran other processes. On a shared grading machine a neighbour's
 * load stretches a test's wall time without the test doing anything wrong; a student must not
 * lose the test for it. An infinite loop or a far too slow test still runs out of its own time
 * (it runs, or waits for its own other threads), and a deadlock does too (it waits for no CPU,
 * so its time is the wall time).
 *
 * <p>Linux's scheduler counts, per thread, the nanoseconds it has waited on a run queue
 * ({@code /proc/PID/task/TID/schedstat}, second field). Every {@link #SAMPLE_NANOS} the clock reads
 * them for the test's whole process tree and takes the largest increase of any one thread as the
 * time the test was kept from running (threads that wait side by side wait at the same time, so
 * they are not added up). Where the counters cannot be read the clock is the wall clock. However
 * busy the machine, the clock runs at least at {@code 1 / MAX_STRETCH} of the wall clock, so a
 * test's deadline in wall time is at most {@link #MAX_STRETCH} times its own; the lab's deadline
 * and the grading's time limit stay in wall time.
 */
final class TestClock {

    /** The most the clock slows: a test runs at most this many times its deadline in wall time. */
    static final int MAX_STRETCH = 10;
    /** How often the clock reads the threads' counters. */
    static final long SAMPLE_NANOS = 200_000_000L;

    private final Supplier<Map<Long, Long>> runQueueWaits;
    private Map<Long, Long> last = Map.of();
    private long lastNanos;
    private long elapsed;
    private long starved;

    /** @param runQueueWaits each thread's run-queue wait so far, in nanoseconds, by thread id; empty where unreadable */
    TestClock(Supplier<Map<Long, Long>> runQueueWaits) {
        this.runQueueWaits = runQueueWaits;
    }

    /** A clock over the threads of {@code root} and of every process under it. */
    static TestClock of(ProcessHandle root) {
        return new TestClock(() -> {
            Map<Long, Long> waits = new HashMap<>();
            try (Stream<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants())) {
                tree.forEach(p -> readThreads(p.pid(), waits));
            }
            return waits;
        });
    }

    /** Adds each thread of process {@code pid} and its run-queue wait to {@code into}; nothing if unreadable. */
    static void readThreads(long pid, Map<Long, Long> into) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String[] fields = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII)
                            .trim()
                            .split("\\s+");
                    if (fields.length >= 2) {
                        into.put(Long.parseLong(task.getFileName().toString()), Long.parseLong(fields[1]));
                    }
                } catch (IOException | NumberFormatException e) {
                    // the thread ended meanwhile, or the kernel keeps no such counter: not counted
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended, or /proc is not there or not ours to read: the wall clock counts
        }
    }

    /** Starts the clock again at zero, at {@code now} ({@link System#nanoTime}). */
    void restart(long now) {
        lastNanos = now;
        elapsed = 0;
        starved = 0;
        last = runQueueWaits.get();
    }

    /** The test's own time at {@code now}, in nanoseconds; brought up to date every {@link #SAMPLE_NANOS}. */
    long advance(long now) {
        long wall = now - lastNanos;
        if (wall < SAMPLE_NANOS) {
            return elapsed;
        }
        Map<Long, Long> current = runQueueWaits.get();
        long waited = 0;
        for (Map.Entry<Long, Long> e : current.entrySet()) {
            Long before = last.get(e.getKey());
            if (before != null) {
                waited = Math.max(waited, e.getValue() - before);
            }
        }
        long kept = Math.min(Math.max(0, waited), wall - wall / MAX_STRETCH);
        elapsed += wall - kept;
        starved += kept;
        lastNanos = now;
        last = current;
        return elapsed;
    }

    /** The wall time since the restart that the clock did not count: the test was ready, other work ran. */
    long starvedNanos() {
        return starved;
    }
}
