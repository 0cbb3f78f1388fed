package dev.storagelab.btree;

/**
 * The buffer pool's eviction policy: which frame to reuse when every frame holds a page and a new
 * page must come in. The pool tells the replacer when a frame is accessed and when it becomes
 * evictable (its pin count drops to 0) or stops being evictable (it is pinned again); the
 * replacer picks a victim among the evictable frames only. A pinned page is never evicted.
 *
 * <p>Frames are numbered {@code 0 .. frames - 1}. Not thread-safe: the buffer pool calls it under
 * its own lock. The same interface as BusTub's {@code Replacer}, so policies can be swapped.
 */
public interface Replacer {

    /** Frame {@code frame} was accessed now (a page in it was fetched or created). */
    void recordAccess(int frame);

    /**
     * Makes {@code frame} a candidate for eviction, or stops it being one. Setting the state a
     * frame already has changes nothing (in particular, it does not count as an access).
     */
    void setEvictable(int frame, boolean evictable);

    /**
     * Chooses a victim among the evictable frames, forgets it entirely (it is no longer evictable
     * and its access history is cleared) and returns it.
     *
     * @return the victim frame, or -1 if no frame is evictable
     */
    int evict();

    /** Forgets {@code frame} entirely, as if it had never been accessed (its page was discarded). */
    void remove(int frame);

    /** The number of evictable frames. */
    int size();

    /**
     * Up to {@code out.length} of the frames that {@link #evict} would choose next, in that order,
     * written into {@code out}, without evicting or forgetting any: the frames a page cleaner writes
     * back ahead of eviction ({@link PageCleaner}). A replacer that cannot tell says 0, and its
     * pool's evictions write their dirty pages back themselves.
     *
     * @return how many frames were written into {@code out}
     */
    default int nextVictims(int[] out) {
        return 0;
    }

    /** The eviction policies the workspace provides, for options and benchmarks. */
    enum Kind {
        /** Least recently used: {@link LruReplacer}. */
        LRU,
        /** LRU-2, which tells a page read once by a scan from a page read often: {@link LruKReplacer}. */
        LRU_2;

        /** A new replacer of this kind for {@code frames} frames. */
        public Replacer create(int frames) {
            return switch (this) {
                case LRU -> new LruReplacer(frames);
                case LRU_2 -> new LruKReplacer(frames, 2);
            };
        }
    }
}
