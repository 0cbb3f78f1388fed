package dev.storagelab.grader.run;

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
 * they are not added up). A thread also waits for the test's own other threads, and a submission
 * that starts more busy threads than there are CPUs would stretch its own deadline that way (a
 * deadlocked test beside spinning threads of its own ran for 200 s against 120). So the time kept
 * is never more than what other processes took of the machine's CPUs meanwhile, shared out over
 * them: the CPU time of the whole machine ({@code /proc/stat}) less the test's own (its processes'
 * {@code /proc/PID/stat}, which keeps the time of threads that have ended), over the number of
 * CPUs. Where the counters cannot be read the clock is the wall clock. However busy the machine,
 * the clock runs at least at {@code 1 / MAX_STRETCH} of the wall clock, so a test's deadline in
 * wall time is at most {@link #MAX_STRETCH} times its own; the lab's deadline and the grading's
 * time limit stay in wall time.
 */
final class TestClock {

    /** The most the clock slows: a test runs at most this many times its deadline in wall time. */
    static final int MAX_STRETCH = 10;
    /** How often the clock reads the threads' counters. */
    static final long SAMPLE_NANOS = 200_000_000L;
    /** Linux's unit of {@code /proc/stat} and {@code /proc/PID/stat} times (USER_HZ, 100 on every architecture Java runs on). */
    static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * One reading of the counters.
     *
     * @param runQueueWaits each thread's run-queue wait so far, in nanoseconds, by thread id; empty where unreadable
     * @param testCpuNanos  the CPU time the test's processes have used so far; -1 where unreadable
     * @param machineCpuNanos the CPU time every process of the machine has used so far; -1 where unreadable
     * @param cpus          the machine's CPUs
     */
    record Sample(Map<Long, Long> runQueueWaits, long testCpuNanos, long machineCpuNanos, int cpus) {}

    private final Supplier<Sample> counters;
    private Sample last = new Sample(Map.of(), -1, -1, 1);
    private long lastNanos;
    private long elapsed;
    private long starved;

    TestClock(Supplier<Sample> counters) {
        this.counters = counters;
    }

    /** A clock over the threads of {@code root} and of every process under it. */
    static TestClock of(ProcessHandle root) {
        return new TestClock(() -> {
            Map<Long, Long> waits = new HashMap<>();
            long[] cpu = {0};
            try (Stream<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants())) {
                tree.forEach(p -> {
                    readThreads(p.pid(), waits);
                    long used = processCpuNanos(p.pid());
                    if (used < 0 && p.pid() == root.pid()) {
                        cpu[0] = Long.MIN_VALUE; // the test JVM's own time unreadable: nothing is kept
                    } else if (used > 0) {
                        cpu[0] += used; // a child that ended meanwhile: its time goes to its parent's
                    }
                });
            }
            long[] machine = machineCpu(Path.of("/proc/stat"));
            return new Sample(waits, Math.max(-1, cpu[0]), machine[0], (int) machine[1]);
        });
    }

    /** The CPU time process {@code pid} has used, its ended threads and waited-for children included; -1 if unreadable. */
    static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ...": comm may hold spaces and parentheses, so fields count from the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1; // ended meanwhile, or no /proc
        }
    }

    /** The CPU time the whole machine has used so far (in nanoseconds; -1 if unreadable), and its CPUs. */
    static long[] machineCpu(Path procStat) {
        try {
            long busy = -1;
            int cpus = 0;
            for (String line : Files.readAllLines(procStat, StandardCharsets.US_ASCII)) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("cpu") && f.length >= 8) {
                    // user nice system idle iowait irq softirq steal ...: all but idle and iowait
                    busy = 0;
                    for (int i : new int[] {1, 2, 3, 6, 7}) {
                        busy += Long.parseLong(f[i]);
                    }
                    if (f.length > 8) {
                        busy += Long.parseLong(f[8]);
                    }
                } else if (f[0].matches("cpu\\d+")) {
                    cpus++;
                }
            }
            return new long[] {busy < 0 ? -1 : busy * NANOS_PER_TICK, Math.max(1, cpus)};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, 1};
        }
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
        last = counters.get();
    }

    /** The test's own time at {@code now}, in nanoseconds; brought up to date every {@link #SAMPLE_NANOS}. */
    long advance(long now) {
        long wall = now - lastNanos;
        if (wall < SAMPLE_NANOS) {
            return elapsed;
        }
        Sample current = counters.get();
        long waited = 0;
        for (Map.Entry<Long, Long> e : current.runQueueWaits().entrySet()) {
            Long before = last.runQueueWaits().get(e.getKey());
            if (before != null) {
                waited = Math.max(waited, e.getValue() - before);
            }
        }
        long kept = Math.min(Math.max(0, waited), othersShare(last, current));
        kept = Math.min(kept, wall - wall / MAX_STRETCH);
        elapsed += wall - kept;
        starved += kept;
        lastNanos = now;
        last = current;
        return elapsed;
    }

    /**
     * The most the test can have been kept from running by other processes between two readings:
     * the CPU time they used meanwhile (the machine's less the test's own), shared over the CPUs.
     * Nothing where either cannot be read: then only the wall clock counts.
     */
    private static long othersShare(Sample before, Sample after) {
        if (before.machineCpuNanos() < 0
                || after.machineCpuNanos() < 0
                || before.testCpuNanos() < 0
                || after.testCpuNanos() < 0) {
            return 0;
        }
        long machine = after.machineCpuNanos() - before.machineCpuNanos();
        long test = Math.max(0, after.testCpuNanos() - before.testCpuNanos());
        return Math.max(0, machine - test) / Math.max(1, after.cpus());
    }

    /** The wall time since the restart that the clock did not count: the test was ready, other work ran. */
    long starvedNanos() {
        return starved;
    }
}
