package dev.storagelab.bounds.hidden;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts test threads that report what they throw, and joins them with a bound, so a deadlocked
 * scan or paginator fails its test instead of hanging the grader. The bound is a liveness limit,
 * far above any healthy run, never a performance check.
 */
final class Threads {

    /** How long a healthy concurrent test could possibly need, many times over. */
    static final long LIVENESS_BOUND_SECONDS = 90;

    private Threads() {
    }

    /** A thread body that may throw. */
    interface Body {
        void run() throws Exception;
    }

    /** Starts a daemon thread running {@code body}; anything it throws is added to {@code failures}. */
    static Thread start(String name, Body body, Collection<Throwable> failures) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Joins every thread, failing if one is still running after the liveness bound. */
    static void joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_BOUND_SECONDS);
        for (Thread t : new ArrayList<>(threads)) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " is still running after " + LIVENESS_BOUND_SECONDS
                        + " s: a scan, a page or a write never returned (deadlock or endless loop)");
            }
        }
    }
}
