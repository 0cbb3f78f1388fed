package dev.storagelab.hybrid.cache;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * ARC, the Adaptive Replacement Cache of Megiddo and Modha ("ARC: A Self-Tuning, Low Overhead
 * Replacement Cache", FAST 2003): a cache of {@code c} keys that balances recency against frequency
 * by itself, with no parameter to tune.
 *
 * <p>It keeps four LRU lists, each ordered from its least recently used key (LRU end) to its most
 * recently used (MRU end):
 * <ul>
 *   <li><b>R</b>: resident keys seen once recently (recency);</li>
 *   <li><b>F</b>: resident keys seen at least twice recently (frequency);</li>
 *   <li><b>B1</b>: ghosts, the keys recently evicted from R (the key only, no value);</li>
 *   <li><b>B2</b>: ghosts, the keys recently evicted from F;</li>
 * </ul>
 * (R and F are the paper's T1 and T2, hence {@link #t1()} and {@link #t2()}; in the handout T1 and
 * T2 are the lab's tasks)
 * and the <b>target</b> {@code p}, the size R should have ({@code 0 <= p <= c}). A hit on a ghost
 * in B1 says "R was too small: had it been larger, this would have been a hit", so p grows; a hit
 * on a ghost in B2 says the same of F, so p shrinks. REPLACE evicts from R while R is larger
 * than p, else from F.
 *
 * <p>Invariants after every call, for L1 = R + B1 and L2 = F + B2: {@code |R| + |F| <= c},
 * {@code |L1| <= c}, {@code |L1| + |L2| <= 2c}, {@code 0 <= p <= c}; a key is in at most one list.
 *
 * <p>Each list is a {@link LinkedHashSet} (a hash table threaded by a doubly-linked list in
 * insertion order): membership, removal, appending at the MRU end and taking the LRU key are each
 * O(1), so a reference costs O(1) whatever c is. Not thread-safe: the cache that uses it locks.
 *
 * @param <K> the key type (equals and hashCode by content)
 */
public final class ArcPolicy<K> implements ReplacementPolicy<K> {

    private int capacity;
    /** Resident, seen once recently; iteration order is LRU first, MRU last. */
    private final LinkedHashSet<K> t1 = new LinkedHashSet<>();
    /** Resident, seen at least twice recently. */
    private final LinkedHashSet<K> t2 = new LinkedHashSet<>();
    /** Ghosts of keys evicted from R. */
    private final LinkedHashSet<K> b1 = new LinkedHashSet<>();
    /** Ghosts of keys evicted from F. */
    private final LinkedHashSet<K> b2 = new LinkedHashSet<>();
    /** The target size of R. */
    private int p;

    /** An empty ARC cache of {@code capacity} resident keys (and as many ghosts), with target 0. */
    public ArcPolicy(int capacity) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        this.capacity = capacity;
    }

    /**
     * A reference to {@code key}, one of the paper's four cases:
     * <ol>
     *   <li><b>Hit</b>, {@code key} in R or F: move it to the MRU end of F; returns true.</li>
     *   <li><b>Ghost hit in B1</b>: grow the target, {@code p = min(c, p + d1)} where {@code d1 = 1}
     *       if {@code |B1| >= |B2|}, else {@code |B2| / |B1|} (integer division); then
     *       {@link #replace REPLACE}; then move {@code key} from B1 to the MRU end of F (resident
     *       now). Returns false: the value was not in the cache.</li>
     *   <li><b>Ghost hit in B2</b>: shrink the target, {@code p = max(0, p - d2)} where
     *       {@code d2 = 1} if {@code |B2| >= |B1|}, else {@code |B1| / |B2|}; then REPLACE; then move
     *       {@code key} from B2 to the MRU end of F. Returns false.</li>
     *   <li><b>Miss</b>, in no list: {@link #miss}. Returns false.</li>
     * </ol>
     * REPLACE runs in cases II and III only when the cache is full ({@code |R| + |F| = c}); in the
     * paper it always is there, but {@link #remove} can leave free room behind ghosts.
     *
     * @throws IllegalArgumentException if {@code key} or {@code evicted} is null
     */
    @Override
    public boolean reference(K key, Consumer<? super K> evicted) {
        checkArgument(key != null, "key must not be null");
        checkArgument(evicted != null, "the evicted-key consumer must not be null");
        // BEGIN SOLUTION lab-07 T3
        if (t1.remove(key) || t2.remove(key)) { // case I: a hit; now seen twice or more
            t2.add(key);
            return true;
        }
        if (b1.contains(key)) { // case II: R would have kept it had it been larger
            int delta = b1.size() >= b2.size() ? 1 : b2.size() / b1.size();
            p = Math.min(capacity, p + delta);
            if (t1.size() + t2.size() >= capacity) {
                replace(false, evicted);
            }
            b1.remove(key);
            t2.add(key);
            return false;
        }
        if (b2.contains(key)) { // case III: F would have kept it had it been larger
            int delta = b2.size() >= b1.size() ? 1 : b1.size() / b2.size();
            p = Math.max(0, p - delta);
            if (t1.size() + t2.size() >= capacity) {
                replace(true, evicted);
            }
            b2.remove(key);
            t2.add(key);
            return false;
        }
        miss(key, evicted);
        return false;
        // END SOLUTION
    }

    /**
     * REPLACE(x, p): evicts one resident key to make room for the referenced one. If R is not empty
     * and either R is larger than the target ({@code |R| > p}), or the reference is a ghost hit in
     * B2 ({@code inB2}) and R is exactly at the target ({@code |R| = p}), the LRU key of R moves
     * to the MRU end of B1; otherwise the LRU key of F moves to the MRU end of B2. The evicted key is
     * passed to {@code evicted}. Called only when the cache is full.
     */
    private void replace(boolean inB2, Consumer<? super K> evicted) {
        // BEGIN SOLUTION lab-07 T3
        if (!t1.isEmpty() && (t1.size() > p || (inB2 && t1.size() == p))) {
            K victim = removeLru(t1);
            b1.add(victim);
            evicted.accept(victim);
        } else {
            K victim = removeLru(t2);
            b2.add(victim);
            evicted.accept(victim);
        }
        // END SOLUTION
    }

    /**
     * Case IV, a key in no list: make room, then put {@code key} at the MRU end of R.
     * <ul>
     *   <li>A: if {@code |L1| = |R| + |B1| = c}: if {@code |R| < c}, drop the LRU ghost of B1 and,
     *       if the cache is full, REPLACE; otherwise (B1 is empty, R holds the whole cache) the LRU
     *       key of R is evicted outright (to no ghost list) and passed to {@code evicted}.</li>
     *   <li>B: if {@code |L1| < c} and {@code |L1| + |L2| >= c}: if {@code |L1| + |L2| = 2c}, drop
     *       the LRU ghost of B2; then, if the cache is full, REPLACE.</li>
     *   <li>Otherwise the directory has room: nothing is dropped or evicted.</li>
     * </ul>
     */
    private void miss(K key, Consumer<? super K> evicted) {
        // BEGIN SOLUTION lab-07 T3
        int l1 = t1.size() + b1.size();
        int l2 = t2.size() + b2.size();
        if (l1 == capacity) {
            if (t1.size() < capacity) {
                removeLru(b1);
                if (t1.size() + t2.size() >= capacity) {
                    replace(false, evicted);
                }
            } else {
                evicted.accept(removeLru(t1));
            }
        } else if (l1 + l2 >= capacity) {
            if (l1 + l2 == 2 * capacity) {
                removeLru(b2);
            }
            if (t1.size() + t2.size() >= capacity) {
                replace(false, evicted);
            }
        }
        t1.add(key);
        // END SOLUTION
    }

    /** Removes and returns the least recently used key of {@code list} (its first in iteration order). */
    private static <K> K removeLru(LinkedHashSet<K> list) {
        Iterator<K> it = list.iterator();
        K lru = it.next();
        it.remove();
        return lru;
    }

    @Override
    public boolean contains(K key) {
        return t1.contains(key) || t2.contains(key);
    }

    /** Drops {@code key} from whichever list holds it; the target p is left as it is. */
    @Override
    public boolean remove(K key) {
        if (t1.remove(key) || t2.remove(key)) {
            return true;
        }
        if (!b1.remove(key)) {
            b2.remove(key);
        }
        return false;
    }

    @Override
    public int size() {
        return t1.size() + t2.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public String name() {
        return "arc";
    }

    /**
     * Changes c at run time and restores the invariants: the target p is capped at the new c; while
     * more than c keys are resident, one is evicted as REPLACE would (the LRU key of R to B1 while
     * R is over the target, or F is empty; else the LRU key of F to B2); then the oldest ghosts
     * are dropped until {@code |L1| <= c} (from B1) and {@code |L1| + |L2| <= 2c} (from B2 first).
     * A larger c only makes room.
     */
    @Override
    public void resize(int capacity, Consumer<? super K> evicted) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        checkArgument(evicted != null, "the evicted-key consumer must not be null");
        this.capacity = capacity;
        p = Math.min(p, capacity);
        while (t1.size() + t2.size() > capacity) {
            K victim;
            if (!t1.isEmpty() && (t1.size() > p || t2.isEmpty())) {
                victim = removeLru(t1);
                b1.add(victim);
            } else {
                victim = removeLru(t2);
                b2.add(victim);
            }
            evicted.accept(victim);
        }
        while (t1.size() + b1.size() > capacity) {
            removeLru(b1); // R <= c here, so B1 is not empty
        }
        while (t1.size() + t2.size() + b1.size() + b2.size() > 2 * capacity) {
            removeLru(b2.isEmpty() ? b1 : b2);
        }
    }

    /** Resident keys seen once recently: {@code |R|}. */
    public int t1Size() {
        return t1.size();
    }

    /** Resident keys seen at least twice recently: {@code |F|}. */
    public int t2Size() {
        return t2.size();
    }

    /** Ghosts of keys evicted from R: {@code |B1|}. */
    public int b1Size() {
        return b1.size();
    }

    /** Ghosts of keys evicted from F: {@code |B2|}. */
    public int b2Size() {
        return b2.size();
    }

    /** The target size of R, p, within {@code [0, capacity]}. */
    public int target() {
        return p;
    }

    /** R's keys, least recently used first (a copy, for tests and the shell). */
    public List<K> t1() {
        return new ArrayList<>(t1);
    }

    /** F's keys, least recently used first (a copy). */
    public List<K> t2() {
        return new ArrayList<>(t2);
    }

    /** B1's ghosts, least recently evicted first (a copy). */
    public List<K> b1() {
        return new ArrayList<>(b1);
    }

    /** B2's ghosts, least recently evicted first (a copy). */
    public List<K> b2() {
        return new ArrayList<>(b2);
    }

    @Override
    public String toString() {
        return "ARC{c=" + capacity + ", p=" + p + ", T1=" + t1.size() + ", T2=" + t2.size() + ", B1=" + b1.size()
                + ", B2=" + b2.size() + "}";
    }
}
