package dev.storagelab.btree;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * What the buffer pool's hits, which take no lock, have to tell its replacer, which is not
 * thread-safe: the frames pinned (an access) and the frames whose last pin went, queued here and
 * handed to the replacer in a batch under the pool's lock. Given code, used by {@link LockFreeBufferPool}.
 *
 * <p>This is BP-Wrapper (Ding, Jiang and Zhang, ICDE 2009), the batching that Caffeine's caches use
 * for the same reason: a replacement policy such as LRU-K keeps state that every access changes, so
 * a pool that took a lock to tell it of each access would be back to one lock per fetch. Instead
 * each thread appends one {@code int} to a ring of its own: a plain write and a release store, no
 * compare-and-set and no fence, since no other thread appends to it. The pool drains every ring,
 * each in order, before it picks a victim ({@link #drain}), and a thread whose ring is full drains
 * them all (under the pool's lock) before it appends again: nothing appended is lost.
 *
 * <p>Each ring also counts its thread's hits ({@link #countHit}): a plain increment of a field only
 * that thread writes, summed when the pool's statistics are read ({@link #hits}). The count is
 * exact, and it no longer rides on the access events, which the pool may leave out
 * ({@link LockFreeBufferPool}'s correlated reference period).
 */
final class AccessQueue {

    private static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;

    /** One thread's events: written by that thread only, read by the drainer (under the pool's lock). */
    private static final class Ring {
        private static final VarHandle TAIL;
        private static final VarHandle HEAD;
        private static final VarHandle HITS;

        static {
            try {
                TAIL = MethodHandles.lookup().findVarHandle(Ring.class, "tail", long.class);
                HEAD = MethodHandles.lookup().findVarHandle(Ring.class, "head", long.class);
                HITS = MethodHandles.lookup().findVarHandle(Ring.class, "hits", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final int[] slots = new int[CAPACITY];
        final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
        /** The next slot its thread writes; published with a release store after the slot. */
        private long tail;
        /** The next slot the drainer reads; published with a release store after it read the slots before. */
        private long head;
        /** Its thread's hits: written by that thread only (an opaque store), read by {@link #hits}. */
        private long hits;
    }

    /** Every thread's ring; the rings of threads that ended are dropped once drained. */
    private final CopyOnWriteArrayList<Ring> rings = new CopyOnWriteArrayList<>();

    private final ThreadLocal<Ring> mine = ThreadLocal.withInitial(this::register);

    /** The hits of the rings dropped since their threads ended (changed by the drainer only). */
    private long retiredHits;

    private Ring register() {
        Ring r = new Ring();
        rings.add(r);
        return r;
    }

    /** An access to {@code frame}: the event {@code frame + 1}. */
    static int accessed(int frame) {
        return frame + 1;
    }

    /** The last pin of {@code frame} went: the event {@code -(frame + 1)}. */
    static int unpinned(int frame) {
        return -(frame + 1);
    }

    /** The frame of an event. */
    static int frameOf(int event) {
        return event > 0 ? event - 1 : -event - 1;
    }

    /** Whether an event is an access (else the last pin went). */
    static boolean isAccess(int event) {
        return event > 0;
    }

    /**
     * Appends {@code event} to the current thread's ring.
     *
     * @return false if the ring is full: drain, then append again
     */
    boolean offer(int event) {
        Ring r = mine.get();
        long tail = r.tail; // only this thread writes it
        if (tail - (long) Ring.HEAD.getAcquire(r) >= CAPACITY) {
            return false;
        }
        r.slots[(int) tail & MASK] = event;
        Ring.TAIL.setRelease(r, tail + 1);
        return true;
    }

    /** Counts a hit of the current thread: one store to a field of its own ring, no fence. */
    void countHit() {
        countHits(1);
    }

    /** Counts {@code n} hits of the current thread at once (an optimistic get's, one per page it read). */
    void countHits(int n) {
        Ring r = mine.get();
        Ring.HITS.setOpaque(r, r.hits + n);
    }

    /**
     * Every thread's hits so far. Exact once the threads that hit have returned from their fetches
     * (a thread's count is its own writes, read here as they are now). Called under the pool's lock,
     * as the drainer is.
     */
    long hits() {
        long sum = retiredHits;
        for (Ring r : rings) {
            sum += (long) Ring.HITS.getOpaque(r);
        }
        return sum;
    }

    /** Hands every event appended so far to {@code sink}, ring by ring, each in order. One drainer at a time (the pool's lock). */
    void drain(IntConsumer sink) {
        for (Ring r : rings) {
            long head = r.head;
            long tail = (long) Ring.TAIL.getAcquire(r);
            if (head == tail) {
                Thread owner = r.owner.get();
                if (owner == null || !owner.isAlive()) {
                    rings.remove(r); // its thread ended: it will append no more
                    retiredHits += (long) Ring.HITS.getOpaque(r);
                }
                continue;
            }
            for (long i = head; i < tail; i++) {
                sink.accept(r.slots[(int) i & MASK]);
            }
            Ring.HEAD.setRelease(r, tail);
        }
    }
}
