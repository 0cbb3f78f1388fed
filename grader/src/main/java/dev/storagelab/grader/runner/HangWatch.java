package dev.storagelab.grader.runner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds a test that hangs in seconds, not at its deadline. A thread of the test JVM of its own looks
 * at the JVM's threads every {@link #SAMPLE_NANOS} while a test runs, and stops the test as hung
 * when
 *
 * <ul>
 *   <li>threads wait for each other's locks in a cycle that the JVM itself sees
 *       ({@link ThreadMXBean#findDeadlockedThreads}: monitors, {@code ReentrantLock}s, write locks of
 *       {@code ReentrantReadWriteLock}s), the same cycle for {@link #DEADLOCK_NANOS}: a deadlock,
 *       whatever the other threads do; or
 *   <li>for {@link #STILL_NANOS} of looks ({@link #TIMED_STILL_NANOS} if a thread is in one timed
 *       wait all along) no thread made progress ({@link Stillness}): every thread of the test
 *       waits, parked or blocked (on a {@code StampedLock} latch, a condition, a latch no one counts
 *       down, a poll that finds nothing), its threads used under a tenth of a CPU, and no child
 *       process of the JVM ran.
 * </ul>
 *
 * What is not a hang: a thread that spins (it runs: its test keeps the CPU deadline the grader
 * counts), a thread in native code (a read, a force: the JVM calls it runnable; but if the JVM has
 * a child process, a thread in native code may be reading the child's output, and the child's CPU
 * time decides), a timer that fires and does work, a child JVM that runs. A thread that wakes from
 * a timed wait, finds nothing to do and waits again (a poll every millisecond costs a few percent
 * of a CPU) makes no progress. A thread in one timed wait all along, whose timeout will fire, may be
 * waiting on purpose (a test that bounds a wait it expects to run out, then goes on): with one, the
 * stillness must last {@link #TIMED_STILL_NANOS}. Most tests wait for their threads with bounds of
 * 100 s or more, which no healthy run comes near, so a hang they meet is stopped at 15 s instead of
 * 5 s. A thread merely kept from running by a busy machine runs within a period or two of the
 * watch's own, and a look the watch itself was late for (the machine kept it from running too)
 * does not count toward the stillness.
 *
 * <p>The verdict names who waits on what in the lab's own code ({@link HangReport}): the lock or
 * latch, and the frames of lab code, never a frame or a name of a test.
 */
final class HangWatch implements Runnable {

    /** How often the watch looks at the threads. */
    static final long SAMPLE_NANOS = 250_000_000L;
    /** How long no thread may run, and none be ready to, before the test is a hang. */
    static final long STILL_NANOS = 5_000_000_000L;
    /**
     * How long no thread may run, and none be ready to, while a thread of the test is in one timed
     * wait all along, before the test is a hang: its timeout may be the test's own end of a wait it
     * expects to run out (a hidden test joins a thread that closes a store Lincheck left locked for
     * at most 10 s, then goes on).
     */
    static final long TIMED_STILL_NANOS = 15_000_000_000L;
    /** How long the same cycle of threads waiting on each other's locks lasts before it is a deadlock. */
    static final long DEADLOCK_NANOS = 2_000_000_000L;

    /** What the watch does with a hang: tell the grader, then end the JVM (the test's threads cannot be freed). */
    interface Verdict {
        void hung(String test, String message);
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Set<Long> jvmThreads = new HashSet<>();
    private final HangReport report;
    private final Verdict verdict;
    private final Object turn = new Object(); // a verdict and the end of a test, one at a time
    private String test; // guarded by turn
    private long generation; // guarded by turn
    private Set<Long> olderThreads = Set.of(); // guarded by turn: the threads alive when the test started
    private long watchThread = -1;

    /**
     * @param report  how a verdict describes the threads
     * @param verdict what a hang does
     */
    HangWatch(HangReport report, Verdict verdict) {
        this.report = report;
        this.verdict = verdict;
        // The JVM's own threads, there before any test (its main thread aside): they wait in native
        // code for signals, references to clear and the like, and are no test's.
        long main = Thread.currentThread().getId();
        for (long id : threads.getAllThreadIds()) {
            if (id != main) {
                jvmThreads.add(id);
            }
        }
    }

    /** Starts the watch on a daemon thread of its own; returns it. */
    HangWatch start() {
        Thread t = new Thread(this, "storagelab-hang-watch");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        watchThread = t.getId();
        jvmThreads.add(watchThread);
        t.start();
        return this;
    }

    /**
     * Test {@code id} started: it is watched from now. Called on the thread that runs it; the other
     * threads alive now are older than the test, and its verdict says their waits after its own.
     */
    void started(String id) {
        Set<Long> alive = new HashSet<>(); // but the caller: the thread that runs the test
        for (long t : threads.getAllThreadIds()) {
            alive.add(t);
        }
        alive.remove(Thread.currentThread().getId());
        synchronized (turn) {
            test = id;
            generation++;
            olderThreads = alive;
        }
    }

    /** The test running ended: no verdict for it from now (one being sent holds this until the JVM ends). */
    void ended() {
        synchronized (turn) {
            test = null;
            generation++;
        }
    }

    @Override
    public void run() {
        Stillness stillness = new Stillness();
        long watching = -1;
        while (true) {
            LockSupport.parkNanos(SAMPLE_NANOS);
            Thread.interrupted(); // nothing a test does stops the watch
            long gen;
            synchronized (turn) {
                gen = test == null ? -1 : generation;
            }
            if (gen < 0) {
                watching = -1;
                continue;
            }
            if (gen != watching) {
                stillness = new Stillness();
                watching = gen;
            }
            try {
                Stillness.Finding found = stillness.look(sample());
                if (found != Stillness.Finding.NONE) {
                    judge(gen, found, stillness);
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                stillness = new Stillness(); // a look that failed (a thread or a child ended meanwhile): start over
            }
        }
    }

    /** Sends the verdict for the test of {@code gen}, if it still runs and the finding stands. */
    private void judge(long gen, Stillness.Finding found, Stillness stillness) {
        long[] deadlocked = null;
        if (found == Stillness.Finding.DEADLOCK) {
            deadlocked = threads.findDeadlockedThreads(); // the JVM's own word, at a safepoint
            if (deadlocked == null || !contains(deadlocked, stillness.cycle())) {
                stillness.forgetCycle();
                return;
            }
        }
        ThreadInfo[] infos = threads.getThreadInfo(threads.getAllThreadIds(), true, false);
        Map<Long, ThreadInfo> watched = new HashMap<>();
        for (ThreadInfo info : infos) {
            if (info != null && !jvmThreads.contains(info.getThreadId())) {
                watched.put(info.getThreadId(), info);
            }
        }
        Set<Long> older;
        synchronized (turn) {
            older = olderThreads;
        }
        String message = found == Stillness.Finding.DEADLOCK
                ? report.deadlock(watched, stillness.cycle(), stillness.cycleSeconds())
                : report.still(watched, older, stillness.stillSeconds(), stillness.childrenStill());
        synchronized (turn) {
            if (test == null || generation != gen) {
                return; // it ended meanwhile
            }
            verdict.hung(test, message); // ends the JVM, the lock held: no other verdict follows it
        }
    }

    private static boolean contains(long[] all, Set<Long> some) {
        Set<Long> set = new HashSet<>();
        for (long id : all) {
            set.add(id);
        }
        return set.containsAll(some);
    }

    /** One look at the test's threads, their CPU time, and the JVM's child processes. */
    private Stillness.Look sample() {
        long now = System.nanoTime();
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids, 0); // no stacks: no safepoint
        boolean running = false;
        boolean inNative = false;
        boolean child = false;
        Set<Long> timedWaits = new HashSet<>();
        Map<Long, Long> waitsFor = new HashMap<>();
        java.util.List<Long> watched = new java.util.ArrayList<>();
        for (ThreadInfo info : infos) {
            if (info == null || jvmThreads.contains(info.getThreadId())) {
                continue;
            }
            Thread.State state = info.getThreadState();
            if (HangReport.isProcessReaper(info)) {
                child |= state == Thread.State.RUNNABLE; // it waits for a child process to end
                continue;
            }
            watched.add(info.getThreadId());
            if (state == Thread.State.RUNNABLE) {
                // it runs, or waits in native code: a read, a force, a child's output
                if (info.isInNative()) {
                    inNative = true;
                } else {
                    running = true;
                }
            }
            if ((state == Thread.State.BLOCKED || state == Thread.State.WAITING) && info.getLockOwnerId() >= 0) {
                waitsFor.put(info.getThreadId(), info.getLockOwnerId());
            }
            if (state == Thread.State.TIMED_WAITING) {
                timedWaits.add(info.getThreadId());
            }
        }
        // A thread in native code is progress, unless the JVM has a child process: then it may be
        // reading the child's output, and the child's CPU time decides (a read that returns data, a
        // force, uses CPU time or waits for the disk: both count).
        boolean runnable = running || inNative && !child;
        Map<Long, Long> cpu = new HashMap<>();
        long[] watchedIds = watched.stream().mapToLong(Long::longValue).toArray();
        long[] used = cpuTimes(watchedIds);
        for (int i = 0; i < watchedIds.length; i++) {
            if (used[i] != -1 || threads.getThreadInfo(watchedIds[i]) != null) {
                cpu.put(watchedIds[i], used[i]); // -1 for a live thread: unreadable, so it may have run
            }
        }
        // what else there is to read is needed only when no thread runs
        Stillness.Children children =
                runnable ? null : child ? children(ProcessHandle.current().pid(), inNative) : Stillness.Children.NONE;
        return new Stillness.Look(now, runnable, cpu, timedWaits, waitsFor, children);
    }

    /** The CPU time of each thread of {@code ids}, in nanoseconds, -1 where it ended or is unreadable. */
    private long[] cpuTimes(long[] ids) {
        if (threads instanceof com.sun.management.ThreadMXBean sun) {
            return sun.getThreadCpuTime(ids);
        }
        long[] used = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            used[i] = threads.getThreadCpuTime(ids[i]);
        }
        return used;
    }

    /**
     * The child processes of process {@code pid}, every generation, from Linux's {@code /proc}: each
     * one's CPU time (its threads' {@code schedstat}, in nanoseconds), and whether a thread of one,
     * or ({@code ownDiskWaits}) of {@code pid} itself, waits for the disk. Busy where unreadable.
     */
    static Stillness.Children children(long pid, boolean ownDiskWaits) {
        Map<Long, Long> cpu = new HashMap<>();
        boolean[] busy = {false};
        try {
            addChildren(pid, cpu, busy, 0);
            if (ownDiskWaits) {
                processCpu(pid, busy); // a thread of this JVM in native code may be waiting for the disk
            }
        } catch (IOException | RuntimeException e) {
            return new Stillness.Children(cpu, true);
        }
        return new Stillness.Children(cpu, busy[0]);
    }

    private static void addChildren(long pid, Map<Long, Long> cpu, boolean[] busy, int depth) throws IOException {
        if (depth > 8) {
            return;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String list;
                try {
                    list = Files.readString(task.resolve("children"), StandardCharsets.US_ASCII);
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // the thread ended meanwhile
                }
                for (String c : list.trim().split("\\s+")) {
                    if (!c.isEmpty()) {
                        long child = Long.parseLong(c);
                        cpu.put(child, processCpu(child, busy));
                        addChildren(child, cpu, busy, depth + 1);
                    }
                }
            }
        }
    }

    /**
     * The CPU time of process {@code pid}'s threads so far, in nanoseconds; sets {@code busy} if one
     * waits for the disk (Linux's D). One ready to run (R) is not counted: on a busy machine a JVM's
     * housekeeping threads often are, and a thread of the child that runs shows in its CPU time.
     */
    private static long processCpu(long pid, boolean[] busy) throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII);
                    sum += Long.parseLong(schedstat.trim().split("\\s+")[0]);
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    int close = stat.lastIndexOf(')'); // the name may hold spaces and parentheses
                    char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : ' ';
                    busy[0] |= state == 'D';
                } catch (java.nio.file.NoSuchFileException e) {
                    busy[0] = true; // a thread ended meanwhile: the child did something
                }
            }
        }
        return sum;
    }
}
