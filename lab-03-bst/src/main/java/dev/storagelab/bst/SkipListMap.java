package dev.storagelab.bst;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A skip list: a sorted linked list with express lanes. Every node is on level 0; each node is
 * also on level 1 with probability 1/4, on level 2 with probability 1/16, and so on, so a search
 * that runs along the highest level and drops down when the next key would overshoot makes about
 * 4·log4(n) = 2·log2(n) steps, expected, whatever order keys arrive in. That is the balanced
 * tree's bound from coin flips instead of rotations, and it buys what rotations cannot: an insert
 * changes nothing but a few forward links, each in one store, so readers can walk the list while a
 * writer inserts, without locks. LevelDB's and RocksDB's memtables are skip lists for this reason.
 *
 * <p>Concurrency: writes ({@code put}, {@code remove}, polling, {@code clear}, iterator removal)
 * are serialised by one lock, so any number of threads may write, one at a time. Reads take no
 * lock, never wait, and never make a writer wait. A reader sees every write that finished before
 * it started, and each entry either before or after a concurrent write, never half-linked; its
 * iterators are weakly consistent and never throw {@link java.util.ConcurrentModificationException}.
 * Links are read with acquire and written with release ({@link Node#next}, {@link Node#setNext}):
 * a reader that sees a link to a new node also sees the node's key, value and forward links,
 * which the writer set before publishing it.
 *
 * @param <K> keys, ordered by the comparator or naturally
 * @param <V> values; null is allowed
 */
public class SkipListMap<K, V> extends AbstractOrderedMap<K, V> {

    /** The highest level a node can reach: 4^16 ≈ 4·10^9 keys before searches slow down. */
    public static final int MAX_LEVEL = 16;
    /** One node in this many on a level is also on the level above. */
    public static final int BRANCHING = 4;

    /** A node: its key, its value, and one forward link per level it is on. */
    protected static final class Node<K, V> extends OrderedNode<K, V> {
        private static final VarHandle NEXT0;
        private static final VarHandle UPPER = MethodHandles.arrayElementVarHandle(Node[].class);
        private static final Node<?, ?>[] NO_UPPER = new Node<?, ?>[0];

        static {
            try {
                NEXT0 = MethodHandles.lookup().findVarHandle(Node.class, "next0", Node.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /**
         * The link on level 0, in a field of its own: every walk ends on level 0 and a scan runs
         * only there, so this saves a load per step, and three nodes in four (the one-level ones)
         * need no array at all.
         */
        @SuppressWarnings("unused") // read and written through NEXT0
        private Node<K, V> next0;
        /** The links on levels 1 and up: {@code upper[i]} is level {@code i + 1}. */
        private final Node<K, V>[] upper;

        @SuppressWarnings("unchecked")
        Node(K key, V value, int levels) {
            super(key, value);
            upper = (Node<K, V>[]) (levels == 1 ? NO_UPPER : new Node<?, ?>[levels - 1]);
        }

        /** The number of levels this node is on (its tower's height), 1 to {@link #MAX_LEVEL}. */
        public int levels() {
            return upper.length + 1;
        }

        /** The next node on {@code level}, or null at the end (an acquire read). */
        @SuppressWarnings("unchecked")
        public Node<K, V> next(int level) {
            return (Node<K, V>) (level == 0 ? NEXT0.getAcquire(this) : UPPER.getAcquire(upper, level - 1));
        }

        /** Links this node to {@code node} on {@code level} (a release write: it publishes {@code node}). */
        void setNext(int level, Node<K, V> node) {
            if (level == 0) {
                NEXT0.setRelease(this, node);
            } else {
                UPPER.setRelease(upper, level - 1, node);
            }
        }
    }

    /** The head: no key, on every level; its links are each level's first node. */
    protected final Node<K, V> head = new Node<>(null, null, MAX_LEVEL);
    /** Serialises writers. Readers never take it. */
    protected final ReentrantLock writeLock = new ReentrantLock();
    /** Levels in use, 1 to {@link #MAX_LEVEL}: no node is higher. Written under the lock. */
    protected volatile int levels = 1;

    private volatile int size;
    /** The writer's coin; used only under the lock. */
    private final SplittableRandom random;
    /**
     * The writer's scratch space for {@link #findGreaterOrEqual}'s predecessors; used only under
     * the lock. One array for all writes: allocating {@link #MAX_LEVEL} slots on every put made
     * building a map about a fifth slower, and scattered the nodes the reads then walk.
     */
    @SuppressWarnings("unchecked")
    private final Node<K, V>[] preds = (Node<K, V>[]) new Node[MAX_LEVEL];

    /** An empty skip list in natural key order, with a random seed. */
    public SkipListMap() {
        this(null, new SplittableRandom().nextLong());
    }

    /** An empty skip list ordered by {@code comparator} (null: natural order), with a random seed. */
    public SkipListMap(Comparator<? super K> comparator) {
        this(comparator, new SplittableRandom().nextLong());
    }

    /** An empty skip list whose tower heights come from {@code seed}: the same inserts build the same list. */
    public SkipListMap(Comparator<? super K> comparator, long seed) {
        super(comparator);
        this.random = new SplittableRandom(seed);
    }

    /**
     * The height of a new node's tower: 1, plus one more level for each coin toss in a row that
     * comes up with probability 1/{@link #BRANCHING}, but never more than {@link #MAX_LEVEL}. So a
     * tower reaches level k+1 with probability 4^-k, and a node has 4/3 links on average. Toss with
     * {@code random} (this is only called by the writer, under the lock).
     */
    protected int randomLevel() {
        // BEGIN SOLUTION lab-03 T5
        int level = 1;
        while (level < MAX_LEVEL && random.nextInt(BRANCHING) == 0) {
            level++;
        }
        return level;
        // END SOLUTION
    }

    /**
     * The search every operation starts with: the last node with a key smaller than {@code key},
     * or {@link #head} if there is none. Start at {@link #head} on the highest level in use
     * ({@link #levels} − 1); on each level move right while the next node's key is smaller than
     * {@code key}, then drop a level. If {@code preds} is not null, record in
     * {@code preds[level]} the node you dropped down from on each level: the nodes whose links an
     * insert or delete at {@code key} must change. Read links only with {@link Node#next}. Take no
     * lock: readers call this too, while a writer changes links.
     */
    protected Node<K, V> findPredecessors(K key, Node<K, V>[] preds) {
        // BEGIN SOLUTION lab-03 T5
        Node<K, V> x = head;
        int level = levels - 1;
        while (true) {
            Node<K, V> next = x.next(level);
            if (next != null && compare(next.key, key) < 0) {
                x = next;
            } else {
                if (preds != null) {
                    preds[level] = x;
                }
                if (level == 0) {
                    return x;
                }
                level--;
            }
        }
        // END SOLUTION
    }

    /**
     * The first node with a key ≥ {@code key}, or null: the successor of the search's predecessor.
     * The search saw that predecessor's level-0 link point at a node ≥ {@code key}, but reading
     * the link again may find a node a writer has linked in since, with a smaller key: step over
     * such nodes rather than trust the second read. (Returning {@code predecessor.next(0)} as is
     * loses keys that are present the whole time, about once in a few million concurrent gets.)
     */
    protected Node<K, V> findGreaterOrEqual(K key, Node<K, V>[] preds) {
        Node<K, V> next = findPredecessors(key, preds).next(0);
        while (next != null && compare(next.key, key) < 0) {
            next = next.next(0);
        }
        return next;
    }

    /** The last node with a key < {@code key}, or {@link #head} if there is none. */
    protected Node<K, V> findLessThan(K key) {
        return findPredecessors(key, null);
    }

    /** The last node, or {@link #head} if the list is empty: run right on each level, then drop. */
    protected Node<K, V> findLast() {
        // BEGIN SOLUTION lab-03 T5
        Node<K, V> x = head;
        int level = levels - 1;
        while (true) {
            Node<K, V> next = x.next(level);
            if (next != null) {
                x = next;
            } else if (level == 0) {
                return x;
            } else {
                level--;
            }
        }
        // END SOLUTION
    }

    @Override
    protected Node<K, V> findNode(K key) {
        Node<K, V> x = findGreaterOrEqual(key, null);
        return x != null && compare(x.key, key) == 0 ? x : null;
    }

    @Override
    protected Node<K, V> seekCeiling(K key, boolean inclusive) {
        Node<K, V> x = findGreaterOrEqual(key, null);
        if (!inclusive && x != null && compare(x.key, key) == 0) {
            x = x.next(0);
        }
        return x;
    }

    @Override
    protected Node<K, V> seekFloor(K key, boolean inclusive) {
        Node<K, V> x = findLessThan(key);
        if (inclusive) {
            // As in findGreaterOrEqual: the link may have changed since the search read it.
            for (Node<K, V> next = x.next(0); next != null; next = next.next(0)) {
                int c = compare(next.key, key);
                if (c == 0) {
                    return next;
                }
                if (c > 0) {
                    break;
                }
                x = next;
            }
        }
        return x == head ? null : x;
    }

    @Override
    protected Node<K, V> firstNode() {
        return head.next(0);
    }

    @Override
    protected Node<K, V> lastNode() {
        Node<K, V> x = findLast();
        return x == head ? null : x;
    }

    @Override
    protected Node<K, V> nextNode(Map.Entry<K, V> node) {
        return ((Node<K, V>) node).next(0);
    }

    /** O(log n): there are no backward links, so this searches for the last smaller key. */
    @Override
    protected Node<K, V> prevNode(Map.Entry<K, V> node) {
        Node<K, V> x = findLessThan(node.getKey());
        return x == head ? null : x;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * Maps {@code key} to {@code value}, under {@link #writeLock}. Find the predecessors on every
     * level with {@link #findGreaterOrEqual}, recording them in the writer's scratch array
     * {@code preds} (allocating one per write costs a fifth of the insert time). If the key is present, replace the value in place
     * (one volatile write that readers see whole) and return the old one. Otherwise draw the new
     * node's height with {@link #randomLevel}; if it is above {@link #levels}, the head is the
     * predecessor on the new levels, and {@code levels} grows. Then, on each of the node's levels
     * from the bottom up: first point the new node at its successor, then point the predecessor
     * at the new node ({@link Node#setNext}, a release write). A reader therefore finds the node
     * only once its links are in place, and on level 0 first, so a reader that meets it on a
     * higher level can always drop down from it. Count it in the size and return null.
     */
    @Override
    public V put(K key, V value) {
        checkKey(key);
        writeLock.lock();
        try {
            // BEGIN SOLUTION lab-03 T6
            Node<K, V>[] preds = this.preds;
            Node<K, V> x = findGreaterOrEqual(key, preds);
            if (x != null && compare(x.key, key) == 0) {
                return x.setValue(value);
            }
            int height = randomLevel();
            int inUse = levels;
            for (int level = inUse; level < height; level++) {
                preds[level] = head;
            }
            Node<K, V> node = new Node<>(key, value, height);
            for (int level = 0; level < height; level++) {
                node.setNext(level, preds[level].next(level));
                preds[level].setNext(level, node);
            }
            if (height > inUse) {
                levels = height;
            }
            size = size + 1;
            return null;
            // END SOLUTION
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public V remove(Object key) {
        Node<K, V> removed = removeUnder(checkKey(key), null);
        return removed == null ? null : removed.value;
    }

    /** Removes {@code node} under the lock, unless another writer removed it first. */
    @Override
    protected boolean removeNode(Map.Entry<K, V> node) {
        return removeUnder(node.getKey(), node) != null;
    }

    /**
     * Under the lock, unlinks the node holding {@code key} (only if it is {@code expected}, when
     * that is not null) and returns it; null if there is no such node.
     */
    private Node<K, V> removeUnder(K key, Map.Entry<K, V> expected) {
        writeLock.lock();
        try {
            Node<K, V>[] preds = this.preds;
            Node<K, V> x = findGreaterOrEqual(key, preds);
            if (x == null || (expected != null ? x != expected : compare(x.key, key) != 0)) {
                return null;
            }
            unlink(x, preds);
            return x;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Unlinks {@code x}, whose predecessor on each of its levels is in {@code preds}, under the
     * lock. From its top level down: point the predecessor past {@code x}. Leave {@code x}'s own
     * links alone: a reader standing on {@code x} follows them to the rest of the list, which is
     * why no reader ever needs a lock. Then lower {@link #levels} while the top level in use is
     * empty (never below 1), and count the node out of the size.
     */
    protected void unlink(Node<K, V> x, Node<K, V>[] preds) {
        // BEGIN SOLUTION lab-03 T6
        for (int level = x.levels() - 1; level >= 0; level--) {
            preds[level].setNext(level, x.next(level));
        }
        int inUse = levels;
        while (inUse > 1 && head.next(inUse - 1) == null) {
            inUse--;
        }
        levels = inUse;
        size = size - 1;
        // END SOLUTION
    }

    @Override
    public void clear() {
        writeLock.lock();
        try {
            for (int level = 0; level < MAX_LEVEL; level++) {
                head.setNext(level, null);
                preds[level] = null; // or the scratch space would keep the old nodes alive
            }
            levels = 1;
            size = 0;
        } finally {
            writeLock.unlock();
        }
    }
}
