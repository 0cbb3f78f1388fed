package dev.storagelab.btree;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;

/**
 * What the buffer pool's hits, which take no lock, have to tell its replacer, which is not
 * thread-safe: the frames pinned (an access) and the frames whose last pin went, queued here and
 * handed to the replacer in a batch under the pool's lock. Given code, used by {@link BufferPool}.
 *
 * <p>This is BP-Wrapper (Ding, Jiang and Zhang, ICDE 2009), the batching that PostgreSQL's and
 * Caffeine's caches use for the same reason: a replacement policy such as LRU-K keeps state that
 * every access changes, so a pool that took a lock to tell it of each access would be back to one
 * lock per fetch. Instead a thread appends one {@code int} to a queue of its own stripe (a CAS on a
 * counter that the other threads seldom touch), and the pool drains every stripe, oldest first,
 * before it picks a victim ({@link #drain}), or when a stripe is full.
 *
 * <p>Nothing appended is lost: a full stripe makes the appender drain (under the pool's lock) and
 * append again. A slot claimed but not yet written stops the drain of its stripe there; the next
 * drain takes it.
 */
final class AccessQueue {

    private static final int STRIPES = 16;
    private static final int CAPACITY = 128;
    /** Longs between two stripes' counters, so that they sit on different cache lines. */
    private static final int PAD = 16;

    /** Stripe {@code s}'s ring of events in {@code slots[s * CAPACITY ..]}; 0 is an empty slot. */
    private final AtomicIntegerArray slots = new AtomicIntegerArray(STRIPES * CAPACITY);
    /** Stripe {@code s}'s next slot to write at {@code tails[s * PAD]}, to drain at {@code heads[s * PAD]}. */
    private final AtomicLongArray tails = new AtomicLongArray(STRIPES * PAD);
    private final AtomicLongArray heads = new AtomicLongArray(STRIPES * PAD);

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
     * Appends {@code event} to the current thread's stripe.
     *
     * @return false if the stripe is full: drain, then append again
     */
    boolean offer(int event) {
        int s = stripe();
        int at = s * PAD;
        while (true) {
            long tail = tails.get(at);
            if (tail - heads.get(at) >= CAPACITY) {
                return false;
            }
            if (tails.compareAndSet(at, tail, tail + 1)) {
                slots.set(s * CAPACITY + (int) (tail % CAPACITY), event);
                return true;
            }
        }
    }

    /** Hands every event appended so far to {@code sink}, stripe by stripe, each in order. One drainer at a time (the pool's lock). */
    void drain(IntConsumer sink) {
        for (int s = 0; s < STRIPES; s++) {
            int at = s * PAD;
            long head = heads.get(at);
            long tail = tails.get(at);
            while (head < tail) {
                int event = slots.getAndSet(s * CAPACITY + (int) (head % CAPACITY), 0);
                if (event == 0) {
                    break; // claimed by an appender that has not written it yet: the next drain takes it
                }
                sink.accept(event);
                head++;
            }
            heads.set(at, head);
        }
    }

    private static int stripe() {
        long id = Thread.currentThread().getId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 60) & (STRIPES - 1);
    }
}
