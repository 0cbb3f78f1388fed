package dev.storagelab.bst;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the hidden tests see of the maps' insides: a tree's shape, a skip list's towers, levels and
 * search paths, and the writer locks, read through the protected members this package may reach.
 * Every method reads; none changes a structure, except {@link #randomLevel}, which draws from the
 * skip list's coin as an insert would.
 */
public final class Internals {

    private Internals() {}

    // ------------------------------------------------------------------------------------ trees

    /**
     * The tree's shape in one line: a leaf is its key, an inner node {@code key(left,right)} with
     * {@code -} for a missing child, the empty tree {@code ""}. For example {@code 2(1,3)} or
     * {@code 50(30(-,40),70)}. Meant for small trees: a tree deeper than 64 is summarised.
     */
    public static <K> String shape(BstMap<K, ?> map) {
        if (map.root == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        append(out, map.root, 0);
        return out.toString();
    }

    private static void append(StringBuilder out, BstMap.Node<?, ?> n, int depth) {
        if (n == null) {
            out.append('-');
            return;
        }
        if (depth > 64) {
            out.append("…");
            return;
        }
        out.append(n.key);
        if (n.left != null || n.right != null) {
            out.append('(');
            append(out, n.left, depth + 1);
            out.append(',');
            append(out, n.right, depth + 1);
            out.append(')');
        }
    }

    /** The key at the root, or null for an empty tree. */
    public static <K> K rootKey(BstMap<K, ?> map) {
        return map.root == null ? null : map.root.key;
    }

    // ------------------------------------------------------------------------------ skip lists

    /** The skip list's writer lock: hold it to stand for a writer in the middle of a write. */
    public static ReentrantLock writeLock(SkipListMap<?, ?> map) {
        return map.writeLock;
    }

    /** The number of levels in use. */
    public static int levels(SkipListMap<?, ?> map) {
        return map.levels;
    }

    /** One draw of a new tower's height from the list's coin ({@code randomLevel()}), under the lock as a writer would. */
    public static int randomLevel(SkipListMap<?, ?> map) {
        map.writeLock.lock();
        try {
            return map.randomLevel();
        } finally {
            map.writeLock.unlock();
        }
    }

    /** Each key on level 0, in list order, with the height of its tower. */
    public static <K> List<Map.Entry<K, Integer>> towers(SkipListMap<K, ?> map) {
        List<Map.Entry<K, Integer>> out = new ArrayList<>();
        for (SkipListMap.Node<K, ?> n = map.head.next(0); n != null; n = n.next(0)) {
            out.add(new AbstractMap.SimpleImmutableEntry<>(n.key, n.levels()));
        }
        return out;
    }

    /**
     * What {@code findGreaterOrEqual(key, preds)} found: the key of the node it returned (null for
     * none), and for each level in use, bottom first, the key of the recorded predecessor (null for
     * the head, or for a level it left unrecorded, which the caller tells apart by {@code recorded}).
     */
    public record Search<K>(K found, List<K> preds, List<Boolean> recorded) {}

    /** Runs {@code findGreaterOrEqual} with a predecessor array, as a writer does before an insert. */
    public static <K, V> Search<K> findGreaterOrEqual(SkipListMap<K, V> map, K key) {
        @SuppressWarnings("unchecked")
        SkipListMap.Node<K, V>[] preds = (SkipListMap.Node<K, V>[]) new SkipListMap.Node[SkipListMap.MAX_LEVEL];
        int levels = map.levels;
        SkipListMap.Node<K, V> found = map.findGreaterOrEqual(key, preds);
        List<K> keys = new ArrayList<>();
        List<Boolean> recorded = new ArrayList<>();
        for (int level = 0; level < levels; level++) {
            keys.add(preds[level] == null || preds[level] == map.head ? null : preds[level].key);
            recorded.add(preds[level] != null);
        }
        return new Search<>(found == null ? null : found.key, keys, recorded);
    }

    /** The key of the node {@code findLessThan(key)} returns; null for the head. */
    public static <K> K findLessThan(SkipListMap<K, ?> map, K key) {
        SkipListMap.Node<K, ?> n = map.findLessThan(key);
        return n == null || n == map.head ? null : n.key;
    }

    /** Whether {@code findLessThan(key)} returned the head (there is no smaller key). */
    public static <K> boolean findLessThanIsHead(SkipListMap<K, ?> map, K key) {
        return map.findLessThan(key) == map.head;
    }

    /** The key of the node {@code findLast()} returns; null for the head. */
    public static <K> K findLast(SkipListMap<K, ?> map) {
        SkipListMap.Node<K, ?> n = map.findLast();
        return n == null || n == map.head ? null : n.key;
    }

    /** Whether {@code findLast()} returned the head (the list is empty). */
    public static boolean findLastIsHead(SkipListMap<?, ?> map) {
        return map.findLast() == map.head;
    }

    // ------------------------------------------------------------------------------- memtables

    /**
     * The writer lock of the memtable's skip list: hold it
     * to stand for an {@code apply} in progress.
     */
    public static ReentrantLock writeLock(SkipListMemtable memtable) {
        return memtable.entries.writeLock;
    }
}
