package dev.storagelab.testkit;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A place where a race test stops one thread of the code under test, so that another thread can act
 * in a window that a stress run would hit only by luck: a test double (a storage, a memtable, a
 * hook) calls {@link #point()}, and the first call made by the thread named {@code holds} waits
 * there until the test calls {@link #release()}. Every other call, and that thread's later ones,
 * pass straight through. One interleaving, forced, with no timing: the waits are bounded by
 * {@link TestThreads#LIVENESS_BOUND_SECONDS} only so that a test that never releases fails instead
 * of hanging.
 */
public final class PausePoint {

    private final String holds;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** A pause for the thread named {@code threadName}. */
    public PausePoint(String threadName) {
        this.holds = threadName;
    }

    /** The pause point: holds the named thread the first time it gets here, until {@link #release()}. */
    public void point() {
        if (!Thread.currentThread().getName().equals(holds) || held.getCount() == 0) {
            return;
        }
        held.countDown();
        try {
            if (!released.await(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the paused thread " + holds);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while paused", e);
        }
    }

    /**
     * Waits until {@code thread} is held here: true once it is, false if it ends first without
     * getting here.
     *
     * @throws AssertionError if it neither gets here nor ends within the liveness bound
     */
    public boolean awaitHeld(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (!held.await(1, TimeUnit.MILLISECONDS)) {
            if (!thread.isAlive()) {
                return held.getCount() == 0;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(thread.getName() + " neither reached the pause point nor ended within "
                        + TestThreads.LIVENESS_BOUND_SECONDS + " s");
            }
        }
        return true;
    }

    /** Lets the held thread go on (and every later call through); harmless if none is held. */
    public void release() {
        released.countDown();
    }
}
