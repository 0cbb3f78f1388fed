package dev.storagelab.btree;

import java.util.ArrayList;
import java.util.List;

/**
 * A brute-force LRU-K replacer to check a {@link Replacer} against, call by call: every frame's
 * access times since it was last forgotten, in a list, and whether it is evictable. A frame with
 * fewer than K accesses (an infinite backward K-distance) goes first, the oldest earliest access
 * first among those; otherwise the frame whose K-th most recent access is oldest. Use it from your
 * own tests; only frames accessed since they were last forgotten should be made evictable (the
 * order of a frame with no history is not the rule's to say).
 */
public final class LruKModel {

    private final int k;
    private final List<List<Long>> history = new ArrayList<>();
    private final boolean[] evictable;
    private long clock;

    public LruKModel(int frames, int k) {
        this.k = k;
        this.evictable = new boolean[frames];
        for (int f = 0; f < frames; f++) {
            history.add(new ArrayList<>());
        }
    }

    public void recordAccess(int frame) {
        history.get(frame).add(clock++);
    }

    public void setEvictable(int frame, boolean on) {
        evictable[frame] = on;
    }

    /** The frame LRU-K would evict now, or -1 if none is evictable; changes nothing. */
    public int victim() {
        int victim = -1;
        for (int f = 0; f < evictable.length; f++) {
            if (evictable[f] && (victim < 0 || before(history.get(f), history.get(victim)))) {
                victim = f;
            }
        }
        return victim;
    }

    /** Evicts {@link #victim()} (it is forgotten) and returns it, or -1. */
    public int evict() {
        int victim = victim();
        if (victim >= 0) {
            remove(victim);
        }
        return victim;
    }

    /** Forgets {@code frame}: not evictable, no history. */
    public void remove(int frame) {
        evictable[frame] = false;
        history.get(frame).clear();
    }

    /** The number of evictable frames. */
    public int size() {
        int size = 0;
        for (boolean e : evictable) {
            size += e ? 1 : 0;
        }
        return size;
    }

    /** {@code frame}'s access times since it was last forgotten, oldest first. */
    public List<Long> history(int frame) {
        return List.copyOf(history.get(frame));
    }

    /** Whether a frame with history {@code a} is evicted before one with history {@code b}. */
    private boolean before(List<Long> a, List<Long> b) {
        boolean aInfinite = a.size() < k;
        boolean bInfinite = b.size() < k;
        if (aInfinite != bInfinite) {
            return aInfinite;
        }
        long ta = aInfinite ? a.get(0) : a.get(a.size() - k);
        long tb = bInfinite ? b.get(0) : b.get(b.size() - k);
        return ta < tb;
    }
}
