package dev.storagelab.btree;

import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The page cleaner of a {@link LockFreeBufferPool}: a background thread that writes dirty pages back
 * <em>ahead of the eviction hand</em>, so that a miss finds its victim clean and reads its page
 * without first writing another. Without it, a reader beside a writer pays for the writer: every
 * page the writer dirtied is written back by whichever thread's miss evicts it, and a get that
 * misses does a write and a read. InnoDB's page cleaner threads flush the tail of its LRU list for
 * the same reason, and PostgreSQL's background writer writes the dirty buffers its clock sweep is
 * about to reach. Given code.
 *
 * <p>It is one of three parts. A miss in a pool with a cleaner takes the first <em>clean</em> frame
 * among the next victims ({@link LockFreeBufferPool#cleanVictim}) and leaves a dirty one for later;
 * the tree's writes write back a couple of the dirty next victims themselves
 * ({@link LockFreeBufferPool#afterWrite}), so that a writer pays for what it dirties; and this
 * thread catches whatever else is left, for a writer that bypasses the tree or a pool that runs
 * behind.
 *
 * <p>A round ({@link LockFreeBufferPool#cleanAhead}) asks the replacer for the next
 * {@link #AHEAD} victims ({@link Replacer#nextVictims}) and, under the pool's lock, hands over a
 * copy of each one that is dirty and unpinned (at most {@link #PER_ROUND} of them) to be written (as an eviction does, through
 * {@link WriteBacksInFlight}: a miss on that page meanwhile reads the copy); the frame stays
 * resident, clean. The writes are made by this thread once the lock is let go. A checkpoint waits
 * for them as for any write-back, and one that is handed over after a checkpoint goes where the
 * page table says after it.
 *
 * <p>The thread is started by the first eviction that had to write its victim back
 * ({@link #wake}), cleans while it finds dirty victims, looks again every
 * {@link #POLL_MILLIS} ms while it finds none (as PostgreSQL's background writer sleeps
 * {@code bgwriter_delay} between rounds), and ends after {@link #IDLE_MILLIS} ms without work,
 * or when the pool is closed or no longer used (it holds the pool only weakly): a pool that never
 * evicts a dirty page never has one. A pool of fewer than {@link #MIN_FRAMES} frames has none, so
 * the small pools of the tests write back exactly as T6 and T12 describe.
 */
final class PageCleaner implements Runnable {

    /** The victims a round looks at: how far ahead of the eviction hand the cleaner keeps pages clean. */
    static final int AHEAD = VictimBatch.CAPACITY;
    /**
     * The dirty pages a round hands over at most: each is copied under the pool's lock, so a round
     * of all {@link #AHEAD} held the lock for up to 64 copies, and a reader's miss beside a writer
     * waited for it (or for a whole scheduler tick, when the cleaner lost its core holding it).
     */
    static final int PER_ROUND = 8;
    /** The smallest pool that gets a cleaner. */
    static final int MIN_FRAMES = 512;
    /**
     * How often an idle cleaner looks again for dirty victims. An eviction that had to write back
     * does not wake a cleaner that is polling: beside a writer there are tens of thousands of those
     * a second, and a cleaner unparked at each one took the lock and the core from the reader as
     * often (btree-16m readwhilewriting, 1,000,000 gets: 62,000 to 69,000 switches of the cleaner in
     * 5 s, and 73,000 to 86,000 gets a second, against 5,300 switches and 99,000 to 112,000 gets
     * polled). Nor does it poll every millisecond: on two cores each wake-up preempts the reader or
     * the writer, and beside a writer one get in a thousand then waited about a millisecond
     * (btree-16m readwhilewriting, 200,000 gets: p99.9 of 126 to 1,234 µs polled every 1 ms, 62 to
     * 127 µs every 10 ms; the reader preempted 535 to 1,072 times against 168 to 249). A 50 ms poll
     * served fewer gets a second than either (the lab-04 log).
     */
    static final long POLL_MILLIS = 10;
    /** How long the cleaner runs without finding work before its thread ends. */
    static final long IDLE_MILLIS = 1000;

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int WOKEN = 2;

    private final WeakReference<LockFreeBufferPool> pool;
    /** {@link #IDLE} (no thread), {@link #RUNNING}, or {@link #WOKEN} (a thread runs, and was told of work). */
    private final AtomicInteger state = new AtomicInteger(IDLE);

    private volatile Thread thread;
    private volatile boolean closed;

    private PageCleaner(LockFreeBufferPool pool) {
        this.pool = new WeakReference<>(pool);
    }

    /** The cleaner of {@code pool}, or null if it gets none (too small). */
    static PageCleaner of(LockFreeBufferPool pool) {
        return pool.frameCount() >= MIN_FRAMES ? new PageCleaner(pool) : null;
    }

    /**
     * An eviction had to write its victim back: the cleaner is behind. Starts its thread if none
     * runs, else keeps it from ending; a polling thread looks again within {@link #POLL_MILLIS}
     * ms, unwoken. Cheap, and called under the pool's lock.
     */
    void wake() {
        if (closed) {
            return;
        }
        if (state.getAndSet(WOKEN) == IDLE) {
            Thread t = new Thread(this, "storagelab-page-cleaner");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    /** The cleaner's thread, or null if none was ever started: for tests. */
    Thread thread() {
        return thread;
    }

    /**
     * Stops the cleaner and waits for its thread to end (after the round it is in), so that no
     * round runs beside the closing checkpoint or after the file is closed, and the closed pool is
     * not held by a thread; none starts again. Called without the pool's lock, which a round takes.
     */
    void close() {
        closed = true;
        Thread t = thread;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        LockSupport.unpark(t);
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true; // the round ends by itself: wait for it, and keep the interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        long idleSince = System.nanoTime();
        while (true) {
            state.set(RUNNING);
            LockFreeBufferPool p = pool.get();
            if (p == null || closed) {
                state.set(IDLE);
                return;
            }
            int cleaned;
            try {
                cleaned = p.cleanAhead(PER_ROUND);
            } catch (RuntimeException e) {
                cleaned = 0; // a failed write stays with its copy, as an eviction's does: the next flush reports it
            }
            p = null; // not held while parked: an unused pool can be collected
            if (cleaned > 0) {
                idleSince = System.nanoTime();
                continue;
            }
            if (System.nanoTime() - idleSince > TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS)
                    && state.compareAndSet(RUNNING, IDLE)) {
                return; // nothing to do for a while, and no eviction asked since: a later one starts a thread again
            }
            if (state.get() == RUNNING) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
            }
        }
    }
}
