package dev.storagelab.grader.runner;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The rules by which {@link HangWatch} tells a hang from a test that waits on purpose, over its
 * looks at one test's threads. The test is still over the last {@link HangWatch#STILL_NANOS} of
 * looks, and so hangs, when over all of them
 *
 * <ul>
 *   <li>no thread of it started or ended, and at most {@link #RUNNABLE_LOOKS} looks saw one of them
 *       runnable (running, or in native code: a read, a force), the last look none;
 *   <li>between any two looks, its threads used at most a {@link #IDLE_CPU_SHARE}th of one CPU
 *       between them: a thread that wakes from a timed wait (a poll every millisecond, a timer),
 *       finds nothing to do and waits again uses a few percent, and is no progress; one that works
 *       uses more;
 *   <li>no child process of the JVM started or ended, used more than that share, or waited for the
 *       disk.
 * </ul>
 *
 * Only looks the watch woke on time for count toward that time (a look more than twice its period
 * late: the machine was busy, and a thread of the test may have been kept from running too). A
 * thread woken but not yet given a CPU shows no CPU time, but on a machine that runs the watch on
 * time it runs within a period or two: five seconds of such looks without a tenth of a CPU's work
 * are no thread merely kept waiting. Apart from it, the threads that wait for a lock another one
 * holds ({@link Look#waitsFor}) are followed round: the same cycle of them for {@link
 * HangWatch#DEADLOCK_NANOS} is a deadlock, to be confirmed by the JVM.
 */
final class Stillness {

    /** The CPU time the test's threads may use while still: 1/10 of one CPU. */
    static final long IDLE_CPU_SHARE = 10;
    /** How many looks may see a thread runnable while the test is still (a poll caught awake). */
    static final int RUNNABLE_LOOKS = 2;
    /** The most looks kept: on a machine so busy that the watch is late for most, the oldest go. */
    static final int MAX_LOOKS = (int) (4 * HangWatch.STILL_NANOS / HangWatch.SAMPLE_NANOS);

    /** What the looks so far show. */
    enum Finding {
        NONE,
        STILL,
        DEADLOCK
    }

    /**
     * The child processes at one look (every generation): each one's CPU time so far, and whether a
     * thread of one of them (or of the JVM itself, in native code beside them) was waiting for the disk.
     */
    record Children(Map<Long, Long> cpuNanos, boolean busy) {
        static final Children NONE = new Children(Map.of(), false);
    }

    /**
     * One look.
     *
     * @param nanos     when ({@link System#nanoTime})
     * @param runnable  whether a thread of the test is runnable
     * @param cpuNanos  each thread of the test (by id) and its CPU time so far (-1 where unreadable)
     * @param waitsFor  each thread that waits (untimed, or blocked) for a lock another thread holds, and that thread
     * @param children  the child processes; null where not read (a runnable thread made it needless)
     */
    record Look(long nanos, boolean runnable, Map<Long, Long> cpuNanos, Map<Long, Long> waitsFor, Children children) {}

    /** The looks since the test's threads last changed, no longer back than the still time needs. */
    private final java.util.ArrayDeque<Look> window = new java.util.ArrayDeque<>();

    private long still;
    private Set<Long> cycle = Set.of();
    private long cycleFor;

    /** Takes {@code look} in and says what the looks so far show. */
    Finding look(Look now) {
        Look before = window.peekLast();
        if (before != null && !before.cpuNanos().keySet().equals(now.cpuNanos().keySet())) {
            window.clear(); // a thread started or ended: that is progress
            before = null;
        }
        window.addLast(now);
        if (before == null) {
            return Finding.NONE;
        }
        long interval = now.nanos() - before.nanos();
        Set<Long> c = cycle(now.waitsFor());
        if (!c.isEmpty() && c.equals(cycle)) {
            cycleFor += interval; // a cycle of locks no load can undo
        } else {
            cycle = c;
            cycleFor = 0;
        }
        if (!cycle.isEmpty() && cycleFor >= HangWatch.DEADLOCK_NANOS) {
            return Finding.DEADLOCK;
        }
        while (window.size() > 2 && onTime(1) >= HangWatch.STILL_NANOS || window.size() > MAX_LOOKS) {
            window.removeFirst(); // what is left still covers the still time
        }
        still = onTime(0);
        return still >= HangWatch.STILL_NANOS && isStill() ? Finding.STILL : Finding.NONE;
    }

    /** The time between the window's looks from the {@code from}-th on that the watch woke on time for. */
    private long onTime(int from) {
        long sum = 0;
        Look before = null;
        int i = 0;
        for (Look l : window) {
            if (i++ > from && l.nanos() - before.nanos() <= 2 * HangWatch.SAMPLE_NANOS) {
                sum += l.nanos() - before.nanos(); // the time from the look before to this one
            }
            before = l;
        }
        return sum;
    }

    /** Whether the window's looks show no progress (the class comment's rules). */
    private boolean isStill() {
        Look first = window.peekFirst();
        Look last = window.peekLast();
        if (last.runnable() || last.children() == null) {
            return false;
        }
        int runnable = 0;
        Look before = null;
        Look read = null; // the last look before that read the child processes
        for (Look l : window) {
            if (before != null) {
                long idle = (l.nanos() - before.nanos()) / IDLE_CPU_SHARE;
                if (l.runnable()) {
                    runnable++;
                }
                if (used(before.cpuNanos(), l.cpuNanos()) > idle) {
                    return false; // a thread worked (a burst counts, however long ago in the window)
                }
            }
            if (l.children() != null) {
                if (l.children().busy()) {
                    return false; // a child, or a thread of the JVM beside one, waited for the disk
                }
                if (read != null) {
                    Map<Long, Long> was = read.children().cpuNanos();
                    Map<Long, Long> is = l.children().cpuNanos();
                    if (!was.keySet().equals(is.keySet())
                            || used(was, is) > (l.nanos() - read.nanos()) / IDLE_CPU_SHARE) {
                        return false; // a child started, ended or ran
                    }
                }
                read = l;
            }
            before = l;
        }
        return runnable <= RUNNABLE_LOOKS && first != last;
    }

    /** The time used between two readings of the same counters ({@code before} has every key of {@code after}). */
    private static long used(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            Long b = before.get(e.getKey());
            if (b == null || b < 0 || e.getValue() < 0) {
                return Long.MAX_VALUE; // unreadable: it may have run
            }
            sum += e.getValue() - b;
        }
        return sum;
    }

    /**
     * The threads of a cycle in {@code waitsFor} (each waits for a lock the next holds, round to the
     * first), the first found; empty if none.
     */
    static Set<Long> cycle(Map<Long, Long> waitsFor) {
        Set<Long> cleared = new HashSet<>();
        for (Long start : waitsFor.keySet()) {
            if (cleared.contains(start)) {
                continue;
            }
            java.util.List<Long> path = new java.util.ArrayList<>();
            Set<Long> onPath = new HashSet<>();
            Long t = start;
            while (t != null && !cleared.contains(t) && onPath.add(t)) {
                path.add(t);
                t = waitsFor.get(t);
            }
            if (t != null && onPath.contains(t)) {
                return new HashSet<>(path.subList(path.indexOf(t), path.size()));
            }
            cleared.addAll(path);
        }
        return Set.of();
    }

    /** The cycle the last looks showed. */
    Set<Long> cycle() {
        return cycle;
    }

    /** Forgets the cycle (the JVM did not confirm it): it must last its whole time again. */
    void forgetCycle() {
        cycleFor = 0;
        cycle = Set.of();
    }

    long cycleSeconds() {
        return Math.round(cycleFor / 1e9);
    }

    long stillSeconds() {
        return Math.round(still / 1e9);
    }

    /** Whether the test had child processes through the stillness (they did not run either). */
    boolean childrenStill() {
        Look last = window.peekLast();
        return last != null
                && last.children() != null
                && !last.children().cpuNanos().isEmpty();
    }
}
