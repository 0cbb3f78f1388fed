package dev.storagelab.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Threads for concurrency tests: daemon threads that report what they throw instead of dying
 * silently, joins and waits bounded by a liveness limit (so a deadlocked store fails its test
 * instead of hanging the grader), and a wait for a thread to queue on a lock. The bound is far
 * above any healthy run; it is never a performance check.
 */
public final class TestThreads {

    /**
     * How long a healthy concurrent test could possibly need, many times over; under the grader's
     * per-test deadline (120 s), so a deadlock fails with this helper's message, not a timeout.
     */
    public static final long LIVENESS_BOUND_SECONDS = 100;

    private TestThreads() {}

    /** A thread body that may throw. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** A body for one of several threads started together; it gets the thread's index. */
    @FunctionalInterface
    public interface IndexedBody {
        void run(int thread) throws Exception;
    }

    /** Starts a daemon thread running {@code body}; anything it throws is added to {@code failures}. */
    public static Thread start(String name, Body body, Collection<Throwable> failures) {
        return start(name, 0, body, failures);
    }

    /** As {@link #start(String, Body, Collection)}, with a stack of {@code stackBytes} (0: the default). */
    public static Thread start(String name, long stackBytes, Body body, Collection<Throwable> failures) {
        Thread thread = new Thread(
                null,
                () -> {
                    try {
                        body.run();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                },
                name,
                stackBytes);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Starts {@code n} daemon threads named {@code name-0}, {@code name-1}, ..., released together
     * by a barrier, each running {@code body} with its index; anything one throws is added to
     * {@code failures}. Join them with {@link #joinAll}. {@code failures} must be thread-safe.
     */
    public static List<Thread> startTogether(int n, String name, IndexedBody body, Collection<Throwable> failures) {
        CyclicBarrier startLine = new CyclicBarrier(n);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int index = t;
            threads.add(start(
                    name + "-" + t,
                    () -> {
                        startLine.await(LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
                        body.run(index);
                    },
                    failures));
        }
        return threads;
    }

    /** {@link #startTogether} {@code n} threads named {@code worker-i}, then {@link #joinAll} them. */
    public static void runAll(int n, IndexedBody body, Collection<Throwable> failures) throws InterruptedException {
        joinAll(startTogether(n, "worker", body, failures));
    }

    /** Joins every thread, failing if one is still running after the liveness bound. */
    public static void joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_BOUND_SECONDS);
        for (Thread t : new ArrayList<>(threads)) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " is still running after " + LIVENESS_BOUND_SECONDS
                        + " s: a call never returned (a deadlock, a lost wake-up or an endless loop)");
            }
        }
    }

    /**
     * Rethrows the first failure a thread reported (the others suppressed), as an AssertionError
     * whose cause is the failure, so the code's own exception stays in the cause chain. Does
     * nothing if {@code failures} is empty.
     *
     * @param what the situation, for the message ("while two writers changed the map")
     */
    public static void rethrow(Collection<Throwable> failures, String what) {
        if (failures.isEmpty()) {
            return;
        }
        List<Throwable> all = new ArrayList<>(failures);
        Throwable first = all.get(0);
        AssertionError error = new AssertionError(what + ": " + first, first);
        all.subList(1, all.size()).forEach(error::addSuppressed);
        throw error;
    }

    /**
     * Waits until {@code thread} is queued on {@code lock}, or has finished. Returns whether it is
     * queued; fails after the liveness bound if neither happens.
     */
    public static boolean awaitQueued(ReentrantLock lock, Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_BOUND_SECONDS);
        while (System.nanoTime() < deadline) {
            if (lock.hasQueuedThread(thread)) {
                return true;
            }
            if (!thread.isAlive()) {
                return false;
            }
            Thread.sleep(1);
        }
        throw new AssertionError(thread.getName() + " neither finished nor waited for the lock within "
                + LIVENESS_BOUND_SECONDS + " s (an endless loop?)");
    }
}
