package dev.storagelab.hybrid.cache.hidden;

import java.util.LinkedList;
import java.util.List;

/**
 * The oracle: a line-by-line transcription of Figure 4 of Megiddo and Modha, "ARC: A Self-Tuning,
 * Low Overhead Replacement Cache" (FAST 2003), with plain linked lists searched in O(c), no
 * removals, and integer deltas ({@code |B2| / |B1|} rounded down) as the student's Javadoc says.
 * Each list holds its LRU key first and its MRU key last.
 */
final class PaperArc<K> {

    final int c;
    int p;
    final LinkedList<K> t1 = new LinkedList<>();
    final LinkedList<K> t2 = new LinkedList<>();
    final LinkedList<K> b1 = new LinkedList<>();
    final LinkedList<K> b2 = new LinkedList<>();

    PaperArc(int c) {
        this.c = c;
    }

    /** One request for page x; the pages removed from the cache are appended to {@code evicted}; returns whether it was a hit. */
    boolean request(K x, List<K> evicted) {
        // Case I: x in T1 or T2: a cache hit. Move x to the MRU position in T2.
        if (t1.contains(x) || t2.contains(x)) {
            t1.remove(x);
            t2.remove(x);
            t2.addLast(x);
            return true;
        }
        // Case II: x in B1. ADAPTATION: p = min(p + d1, c), d1 = 1 if |B1| >= |B2|, else |B2|/|B1|.
        if (b1.contains(x)) {
            int d1 = b1.size() >= b2.size() ? 1 : b2.size() / b1.size();
            p = Math.min(p + d1, c);
            replace(x, evicted);
            b1.remove(x);
            t2.addLast(x);
            return false;
        }
        // Case III: x in B2. ADAPTATION: p = max(p - d2, 0), d2 = 1 if |B2| >= |B1|, else |B1|/|B2|.
        if (b2.contains(x)) {
            int d2 = b2.size() >= b1.size() ? 1 : b1.size() / b2.size();
            p = Math.max(p - d2, 0);
            replace(x, evicted);
            b2.remove(x);
            t2.addLast(x);
            return false;
        }
        // Case IV: x in none of the lists.
        if (t1.size() + b1.size() == c) { // Case A: L1 has exactly c pages.
            if (t1.size() < c) {
                b1.removeFirst();
                replace(x, evicted);
            } else { // B1 is empty: delete the LRU page in T1 (and remove it from the cache).
                evicted.add(t1.removeFirst());
            }
        } else { // Case B: L1 has fewer than c pages.
            int total = t1.size() + t2.size() + b1.size() + b2.size();
            if (total >= c) {
                if (total == 2 * c) {
                    b2.removeFirst();
                }
                replace(x, evicted);
            }
        }
        t1.addLast(x);
        return false;
    }

    /** Subroutine REPLACE(x, p). */
    private void replace(K x, List<K> evicted) {
        if (!t1.isEmpty() && (t1.size() > p || (b2.contains(x) && t1.size() == p))) {
            K lru = t1.removeFirst();
            b1.addLast(lru);
            evicted.add(lru);
        } else {
            K lru = t2.removeFirst();
            b2.addLast(lru);
            evicted.add(lru);
        }
    }
}
