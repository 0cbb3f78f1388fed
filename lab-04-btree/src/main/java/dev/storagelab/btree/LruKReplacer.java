package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;
import java.util.TreeSet;

/**
 * LRU-K replacement (O'Neil, O'Neil and Weikum, SIGMOD 1993): evict the frame whose K-th most
 * recent access is furthest in the past: its <em>backward K-distance</em> is the largest. A frame
 * accessed fewer than K times has an infinite distance and goes first; among several such frames,
 * the one whose earliest recorded access is oldest goes first (plain LRU on their history).
 *
 * <p>Why it beats LRU for a database: a range scan touches each leaf once. Under LRU those leaves
 * push the hot internal pages out of the pool; under LRU-2 a page seen once has infinite distance
 * and is the first to go, while pages used again and again stay.
 *
 * <p>Time is a logical clock that ticks on every access. The evictable frames are kept in a
 * {@link TreeSet} ordered by (fewer than K accesses first, then the oldest K-th most recent access,
 * or oldest first access), so every call is O(log n) and evicting is taking the first element.
 */
public final class LruKReplacer implements Replacer {

    private final int k;
    /** Per frame, its last K access times in a ring; {@code count} says how many are recorded. */
    private final long[][] history;
    private final int[] count;
    private final boolean[] evictable;
    private long clock;
    private final TreeSet<Integer> candidates;

    public LruKReplacer(int frames, int k) {
        checkArgument(frames > 0, "frames must be positive: %s", frames);
        checkArgument(k >= 1, "k must be at least 1: %s", k);
        this.k = k;
        history = new long[frames][k];
        count = new int[frames];
        evictable = new boolean[frames];
        candidates = new TreeSet<>(this::compareFrames);
    }

    /**
     * The eviction order: fewer than K accesses first, then the older ordering time, then the lower
     * frame. Written out rather than chained with {@code Comparator.comparingInt(...).thenComparing...}:
     * every pin and unpin of a page moves its frame in the set, about ten comparisons each, and the
     * chained form (three lambdas, each unboxing) took a third of a cached get's CPU time.
     */
    private int compareFrames(Integer a, Integer b) {
        int fa = a;
        int fb = b;
        boolean fullA = count[fa] >= k;
        boolean fullB = count[fb] >= k;
        if (fullA != fullB) {
            return fullA ? 1 : -1;
        }
        int c = Long.compare(orderingTime(fa), orderingTime(fb));
        return c != 0 ? c : Integer.compare(fa, fb);
    }

    /**
     * The access time that orders {@code frame} among frames of its class: with K accesses, the
     * K-th most recent (the oldest of the last K); with fewer, the earliest recorded.
     */
    private long orderingTime(int frame) {
        // With count < K the ring has not wrapped, so the earliest access is slot 0; with count >= K
        // the oldest of the last K is the slot the next access will overwrite.
        return count[frame] >= k ? history[frame][count[frame] % k] : history[frame][0];
    }

    private int check(int frame) {
        return Objects.checkIndex(frame, count.length);
    }

    @Override
    public void recordAccess(int frame) {
        // BEGIN SOLUTION lab-04 T5
        boolean queued = evictable[check(frame)];
        if (queued) {
            candidates.remove(frame); // its position depends on its history, which is about to change
        }
        history[frame][count[frame] % k] = clock++;
        count[frame]++;
        if (queued) {
            candidates.add(frame);
        }
        // END SOLUTION
    }

    @Override
    public void setEvictable(int frame, boolean evictable) {
        // BEGIN SOLUTION lab-04 T5
        if (this.evictable[check(frame)] == evictable) {
            return;
        }
        this.evictable[frame] = evictable;
        if (evictable) {
            candidates.add(frame);
        } else {
            candidates.remove(frame);
        }
        // END SOLUTION
    }

    @Override
    public int evict() {
        // BEGIN SOLUTION lab-04 T5
        Integer victim = candidates.pollFirst();
        if (victim == null) {
            return -1;
        }
        evictable[victim] = false;
        count[victim] = 0;
        return victim;
        // END SOLUTION
    }

    @Override
    public void remove(int frame) {
        // BEGIN SOLUTION lab-04 T5
        if (evictable[check(frame)]) {
            candidates.remove(frame);
            evictable[frame] = false;
        }
        count[frame] = 0;
        // END SOLUTION
    }

    @Override
    public int size() {
        return candidates.size();
    }
}
