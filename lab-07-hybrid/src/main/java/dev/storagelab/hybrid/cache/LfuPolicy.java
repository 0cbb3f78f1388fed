package dev.storagelab.hybrid.cache;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashMap;
// BEGIN REMOVE
import java.util.Iterator;
// END REMOVE
import java.util.LinkedHashSet;
import java.util.function.Consumer;

/**
 * Least frequently used, in O(1) per reference (Shah, Mitra and Matani, "An O(1) algorithm for
 * implementing the LFU cache eviction scheme", 2010): a miss in a full cache evicts the resident key
 * referenced fewest times since it was admitted, the least recently used of them on a tie.
 *
 * <p>The structure: a doubly-linked list of <b>frequency nodes</b> in increasing frequency, only
 * for frequencies some resident key has; each node holds its keys in a {@link LinkedHashSet}, in the
 * order they reached that frequency, so the first is the least recently used; and a hash map from
 * each resident key to its node. A hit moves the key to the node of the next frequency (creating it
 * right after its own node if missing, unlinking its own node if left empty); the victim is the
 * first key of the first node. No step searches, so nothing grows with the capacity.
 *
 * <p>The counts are those of the resident keys only ("in-cache LFU"): an evicted key starts again
 * at 1. A count never decays, so LFU never forgets: a key that was popular long ago keeps its
 * place against today's keys. Not thread-safe: the cache that uses it locks.
 *
 * @param <K> the key type (equals and hashCode by content)
 */
public final class LfuPolicy<K> implements ReplacementPolicy<K> {

    /** The keys referenced {@code freq} times, in the order they reached that count. */
    private static final class FreqNode<K> {
        final long freq;
        final LinkedHashSet<K> keys = new LinkedHashSet<>();
        FreqNode<K> prev;
        FreqNode<K> next;

        FreqNode(long freq) {
            this.freq = freq;
        }
    }

    private int capacity;
    /**
     * The sentinel of the circular frequency list (frequency 0, never holds a key):
     * {@code head.next} is the lowest frequency, {@code head.prev} the highest; an empty list is
     * the sentinel linked to itself.
     */
    private final FreqNode<K> head = new FreqNode<>(0);
    /** Each resident key's frequency node. */
    private final HashMap<K, FreqNode<K>> nodeOf = new HashMap<>();

    /** An empty LFU cache of {@code capacity} keys. */
    public LfuPolicy(int capacity) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        this.capacity = capacity;
        head.prev = head;
        head.next = head;
    }

    /**
     * A reference to {@code key}. A hit (resident) moves {@code key} from its node of frequency f to
     * the node of frequency f + 1, at the end of its keys (creating that node right after f's if no
     * key has f + 1; unlinking f's node if it is left empty), and returns true. A miss in a full
     * cache first evicts the first key of the lowest-frequency node (the least recently used of the
     * least frequently used keys, passed to {@code evicted}; its node unlinked if left empty); then
     * {@code key} joins the node of frequency 1 (created at the front if missing). Returns false.
     * O(1): every node and key touched is at hand through {@link #nodeOf} or the list's links.
     *
     * @throws IllegalArgumentException if {@code key} or {@code evicted} is null
     */
    @Override
    public boolean reference(K key, Consumer<? super K> evicted) {
        checkArgument(key != null, "key must not be null");
        checkArgument(evicted != null, "the evicted-key consumer must not be null");
        // BEGIN SOLUTION lab-07 T3
        FreqNode<K> node = nodeOf.get(key);
        if (node != null) {
            FreqNode<K> next = node.next;
            if (next == head || next.freq != node.freq + 1) {
                next = insertAfter(node, node.freq + 1);
            }
            node.keys.remove(key);
            next.keys.add(key);
            nodeOf.put(key, next);
            if (node.keys.isEmpty()) {
                unlink(node);
            }
            return true;
        }
        if (nodeOf.size() >= capacity) {
            evictLeastFrequent(evicted);
        }
        FreqNode<K> first = head.next;
        if (first == head || first.freq != 1) {
            first = insertAfter(head, 1);
        }
        first.keys.add(key);
        nodeOf.put(key, first);
        return false;
        // END SOLUTION
    }

    /**
     * Evicts the first key of the lowest-frequency node (the least recently used of the least
     * frequently used keys) and passes it to {@code evicted}; unlinks that node if it is left
     * empty. A miss in a full cache and a smaller capacity ({@link #resize}) both evict with it.
     * The cache holds at least one key.
     */
    private void evictLeastFrequent(Consumer<? super K> evicted) {
        // BEGIN SOLUTION lab-07 T3
        FreqNode<K> least = head.next;
        Iterator<K> it = least.keys.iterator();
        K victim = it.next();
        it.remove();
        nodeOf.remove(victim);
        if (least.keys.isEmpty()) {
            unlink(least);
        }
        evicted.accept(victim);
        // END SOLUTION
    }

    /** Links a new, empty node of frequency {@code freq} right after {@code node} and returns it. */
    private FreqNode<K> insertAfter(FreqNode<K> node, long freq) {
        FreqNode<K> created = new FreqNode<>(freq);
        created.prev = node;
        created.next = node.next;
        node.next.prev = created;
        node.next = created;
        return created;
    }

    /** Takes {@code node} (empty) out of the frequency list. */
    private static <K> void unlink(FreqNode<K> node) {
        node.prev.next = node.next;
        node.next.prev = node.prev;
        node.prev = null;
        node.next = null;
    }

    @Override
    public boolean contains(K key) {
        return nodeOf.containsKey(key);
    }

    @Override
    public boolean remove(K key) {
        FreqNode<K> node = nodeOf.remove(key);
        if (node == null) {
            return false;
        }
        node.keys.remove(key);
        if (node.keys.isEmpty()) {
            unlink(node);
        }
        return true;
    }

    @Override
    public int size() {
        return nodeOf.size();
    }

    /**
     * A smaller capacity evicts as a miss in a full cache does, one key at a time: the least
     * recently used key of the lowest frequency first.
     */
    @Override
    public void resize(int capacity, Consumer<? super K> evicted) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        checkArgument(evicted != null, "the evicted-key consumer must not be null");
        this.capacity = capacity;
        while (nodeOf.size() > capacity) {
            evictLeastFrequent(evicted);
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public String name() {
        return "lfu";
    }

    /** How many times {@code key} was referenced since it was admitted; 0 if it is not resident. */
    public long frequency(K key) {
        FreqNode<K> node = nodeOf.get(key);
        return node == null ? 0 : node.freq;
    }

    /** Frequency nodes in the list (distinct frequencies of resident keys): what stays small. */
    public int frequencyNodes() {
        int n = 0;
        for (FreqNode<K> f = head.next; f != head; f = f.next) {
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return "LFU{c=" + capacity + ", size=" + nodeOf.size() + "}";
    }
}
