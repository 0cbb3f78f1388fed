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
 * A thread in one timed wait all along (it used no CPU time: its timeout will fire) may be waiting
 * on purpose, as a test that bounds its wait for a thread it expects to stay blocked does: then the
 * looks must cover {@link HangWatch#TIMED_STILL_NANOS}, longer than any such bound. A thread that
 * wakes from a timed wait and waits again uses CPU time, and counts as still. Only looks the watch
 * woke on time for count toward those times (a look more than twice its period
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
    static final int MAX_LOOKS = (int) (4 * HangWatch.TIMED_STILL_NANOS / HangWatch.SAMPLE_NANOS);

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
     * @param timedWaits the threads of the test in a timed wait
     * @param waitsFor  each thread that waits (untimed, or blocked) for a lock another thread holds, and that thread
     * @param children  the child processes; null where not read (a runnable thread made it needless)
     */
    record Look(
            long nanos,
            boolean runnable,
            Map<Long, Long> cpuNanos,
            Set<Long> timedWaits,
            Map<Long, Long> waitsFor,
            Children children) {}

    /** The looks since the test's threads last changed, no longer back than the still times need. */
    private final java.util.List<Look> window = new java.util.ArrayList<>();

    private long still;
    private Set<Long> cycle = Set.of();
    private long cycleFor;

    /** Takes {@code look} in and says what the looks so far show. */
    Finding look(Look now) {
        Look before = window.isEmpty() ? null : window.get(window.size() - 1);
        if (before != null && !before.cpuNanos().keySet().equals(now.cpuNanos().keySet())) {
            window.clear(); // a thread started or ended: that is progress
            before = null;
        }
        window.add(now);
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
        while (window.size() > 2 && onTime(1) >= HangWatch.TIMED_STILL_NANOS || window.size() > MAX_LOOKS) {
            window.remove(0); // what is left still covers the longer still time
        }
        // the shortest run of the last looks that covers the still time
        int from = window.size() - 2;
        while (from > 0 && onTime(from) < HangWatch.STILL_NANOS) {
            from--;
        }
        still = onTime(from);
        if (still >= HangWatch.STILL_NANOS && isStill(from) && !timeoutPending(from)) {
            return Finding.STILL;
        }
        // a thread in one timed wait all along may be waiting on purpose: only the longer time is a hang
        still = onTime(0);
        return still >= HangWatch.TIMED_STILL_NANOS && isStill(0) ? Finding.STILL : Finding.NONE;
    }

    /** The time between the window's looks from the {@code from}-th on that the watch woke on time for. */
    private long onTime(int from) {
        long sum = 0;
        for (int i = from + 1; i < window.size(); i++) {
            long interval = window.get(i).nanos() - window.get(i - 1).nanos();
            if (interval <= 2 * HangWatch.SAMPLE_NANOS) {
                sum += interval;
            }
        }
        return sum;
    }

    /**
     * Whether a thread was in a timed wait at every look from the {@code from}-th on and used no CPU
     * time meanwhile: one wait, whose timeout will fire (a thread that woke and waited again used
     * some, and is a poll that finds nothing).
     */
    private boolean timeoutPending(int from) {
        Look first = window.get(from);
        Look last = window.get(window.size() - 1);
        Set<Long> waiting = new HashSet<>(first.timedWaits());
        for (int i = from + 1; i < window.size(); i++) {
            waiting.retainAll(window.get(i).timedWaits());
        }
        for (Long t : waiting) {
            if (first.cpuNanos().getOrDefault(t, -1L).equals(last.cpuNanos().get(t))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the window's looks from the {@code from}-th on show no progress (the class comment's rules). */
    private boolean isStill(int from) {
        Look last = window.get(window.size() - 1);
        if (last.runnable() || last.children() == null || from >= window.size() - 1) {
            return false;
        }
        int runnable = 0;
        Look read = null; // the last look before that read the child processes
        for (int i = from; i < window.size(); i++) {
            Look l = window.get(i);
            if (i > from) {
                Look before = window.get(i - 1);
                if (l.runnable()) {
                    runnable++;
                }
                if (used(before.cpuNanos(), l.cpuNanos()) > (l.nanos() - before.nanos()) / IDLE_CPU_SHARE) {
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
        }
        return runnable <= RUNNABLE_LOOKS;
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
        Look last = window.isEmpty() ? null : window.get(window.size() - 1);
        return last != null
                && last.children() != null
                && !last.children().cpuNanos().isEmpty();
    }
}
