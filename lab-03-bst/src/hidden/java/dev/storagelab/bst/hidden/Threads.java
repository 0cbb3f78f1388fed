package dev.storagelab.bst.hidden;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts daemon test threads that report what they throw, joins them with a liveness bound (so a
 * deadlock fails its test instead of hanging the grader), and waits for a thread to queue on a
 * lock. The bound is far above any healthy run; it is never a performance check.
 */
final class Threads {

    /** How long a healthy concurrent test could possibly need, many times over. */
    static final long LIVENESS_BOUND_SECONDS = 30;

    private Threads() {
    }

    /** A thread body that may throw. */
    interface Body {
        void run() throws Exception;
    }

    /** Starts a daemon thread running {@code body}; anything it throws is added to {@code failures}. */
    static Thread start(String name, Body body, Collection<Throwable> failures) {
        return start(name, 0, body, failures);
    }

    /** As {@link #start(String, Body, Collection)}, with a stack of {@code stackBytes} (0: the default). */
    static Thread start(String name, long stackBytes, Body body, Collection<Throwable> failures) {
        Thread thread = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, name, stackBytes);
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
                        + " s: a read or a write never returned (a deadlock, a lost wake-up or an endless loop)");
            }
        }
    }

    /**
     * Rethrows the first failure a thread reported (the others suppressed), as an AssertionError
     * whose cause is the failure, so the student's exception stays in the cause chain.
     */
    static void rethrow(Collection<Throwable> failures, String what) {
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
    static boolean awaitQueued(ReentrantLock lock, Thread thread) throws InterruptedException {
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
