package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Objects;

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
 * <p>Time is a logical clock that ticks on every access. Each frame keeps its last K access times
 * in a ring and one number, its <em>rank</em>, that orders it for eviction: the smaller the rank,
 * the sooner it goes. {@link #recordAccess} and {@link #setEvictable} are O(1) array writes, and
 * {@link #evict} finds the evictable frame of smallest rank by a scan of the frames, which finds
 * the next {@value VictimBatch#CAPACITY} victims at once ({@link VictimBatch}): O(n) once per
 * {@value VictimBatch#CAPACITY} evictions. The trade is the right one for a buffer pool: every
 * fetch pins and every unpin unpins (two calls per level of every descent), while only a miss
 * evicts. Keeping the candidates in an ordered set instead makes eviction O(log n) but moves a
 * frame in the set on every pin and unpin, which took a third of a cached get's CPU time
 * (notes/04-btree.md §4.7.5).
 */
public final class LruKReplacer implements Replacer {

    private final int k;
    /** Frame {@code f}'s last K access times, a ring in {@code history[f * k .. f * k + k - 1]}. */
    private final long[] history;
    /** How many accesses frame {@code f} has recorded since it was last forgotten, at most K. */
    private final int[] recorded;
    /** The ring slot frame {@code f}'s next access overwrites: once K are recorded, its oldest. */
    private final int[] next;
    /**
     * The eviction order, smallest first: a frame with K accesses ranks by its K-th most recent
     * access time; a frame with fewer ranks by its earliest recorded access time shifted below every
     * K-access rank ({@code time + Long.MIN_VALUE}: times are never negative, so every such rank is
     * negative and keeps its order). Ties (possible only between frames never accessed and the one
     * accessed at time 0) go to the lower frame.
     */
    private final long[] rank;

    private final boolean[] evictable;
    /** The next victims in order, from the last scan; told when a frame may jump the queue. */
    private final VictimBatch victims = new VictimBatch();

    private int size;
    private long clock;

    public LruKReplacer(int frames, int k) {
        checkArgument(frames > 0, "frames must be positive: %s", frames);
        checkArgument(k >= 1, "k must be at least 1: %s", k);
        this.k = k;
        history = new long[frames * k];
        recorded = new int[frames];
        next = new int[frames];
        rank = new long[frames];
        Arrays.fill(rank, Long.MIN_VALUE); // no access yet: fewer than K, "earliest access" time 0
        evictable = new boolean[frames];
    }

    /** Forgets {@code frame}'s history: it ranks as a frame with fewer than K accesses again. */
    private void forget(int frame) {
        recorded[frame] = 0;
        next[frame] = 0;
        rank[frame] = history[frame * k] + Long.MIN_VALUE;
    }

    private int check(int frame) {
        return Objects.checkIndex(frame, recorded.length);
    }

    /** Records an access at the clock's next tick: one ring slot and the frame's rank, O(1). */
    @Override
    public void recordAccess(int frame) {
        // BEGIN SOLUTION lab-04 T5
        int base = check(frame) * k;
        history[base + next[frame]] = clock++;
        next[frame] = (next[frame] + 1) % k;
        if (recorded[frame] < k) {
            recorded[frame]++;
        }
        // With K recorded, the slot the next access will overwrite holds the K-th most recent;
        // with fewer, the ring has not wrapped and slot 0 holds the earliest.
        rank[frame] = recorded[frame] == k ? history[base + next[frame]] : history[base] + Long.MIN_VALUE;
        if (evictable[frame]) {
            victims.admit(frame, rank[frame]); // its rank changed: it may now come before a victim the batch holds
        }
        // END SOLUTION
    }

    /** Marks {@code frame} evictable or not, O(1): its history and rank stay as they are. */
    @Override
    public void setEvictable(int frame, boolean evictable) {
        // BEGIN SOLUTION lab-04 T5
        if (this.evictable[check(frame)] == evictable) {
            return;
        }
        this.evictable[frame] = evictable;
        size += evictable ? 1 : -1;
        if (evictable) {
            victims.admit(frame, rank[frame]); // it may come before a victim the batch holds
        }
        // END SOLUTION
    }

    /**
     * The evictable frame of smallest rank (the lower frame on a tie), from the {@link VictimBatch}:
     * a scan of the frames, O(n), once per {@value VictimBatch#CAPACITY} evictions.
     */
    @Override
    public int evict() {
        // BEGIN SOLUTION lab-04 T5
        if (size == 0) {
            return -1;
        }
        int victim = victims.poll(rank, evictable);
        evictable[victim] = false;
        size--;
        forget(victim);
        return victim;
        // END SOLUTION
    }

    @Override
    public void remove(int frame) {
        // BEGIN SOLUTION lab-04 T5
        if (evictable[check(frame)]) {
            evictable[frame] = false;
            size--;
        }
        forget(frame);
        // END SOLUTION
    }

    @Override
    public int size() {
        return size;
    }

    /** The next victims of the {@link VictimBatch}, in order (a scan of the frames if it is used up). */
    @Override
    public int nextVictims(int[] out) {
        return size == 0 ? 0 : victims.peek(out, rank, evictable);
    }
}
