package dev.storagelab.sortedlog.hidden;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Runs a body on several threads at once and collects what they throw, for the concurrency
 * tests. Every wait is bounded, so a deadlocked store fails the test instead of hanging the
 * grader; the bound is a liveness limit, far above any healthy run, not a performance check.
 */
final class Threads {

    /** How long a healthy concurrent test could possibly need, many times over. */
    static final long LIVENESS_BOUND_SECONDS = 120;

    private Threads() {
    }

    /** A per-thread body that may throw. */
    interface Body {
        void run(int thread) throws Exception;
    }

    /**
     * Starts {@code n} threads together, each running {@code body} with its index, and waits for
     * all of them. Anything a thread throws is added to {@code failures}.
     */
    static void runAll(int n, Body body, Collection<Throwable> failures) throws InterruptedException {
        List<Thread> threads = start(n, "worker", body, failures);
        joinAll(threads);
    }

    /** Starts {@code n} threads released together by a barrier; join them with {@link #joinAll}. */
    static List<Thread> start(int n, String name, Body body, Collection<Throwable> failures) {
        CyclicBarrier startLine = new CyclicBarrier(n);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    startLine.await(LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
                    body.run(index);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, name + "-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        return threads;
    }

    /** Joins every thread, failing if one is still running after the liveness bound. */
    static void joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_BOUND_SECONDS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " is still running after " + LIVENESS_BOUND_SECONDS
                        + " s: the store deadlocked or a writer waits for a signal that never comes");
            }
        }
    }
}
