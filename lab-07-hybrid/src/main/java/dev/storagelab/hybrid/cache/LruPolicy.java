package dev.storagelab.hybrid.cache;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.function.Consumer;

/**
 * Least recently used: a miss in a full cache evicts the key whose last reference is the oldest.
 * One {@link LinkedHashSet} in reference order (LRU first): a hit moves the key to the end, a
 * miss appends it, the victim is the first. O(1) per reference. The baseline ARC and LFU are
 * compared against, and what one long scan flushes: every key the scan touches is more recent
 * than the working set. Not thread-safe: the cache that uses it locks.
 *
 * @param <K> the key type (equals and hashCode by content)
 */
public final class LruPolicy<K> implements ReplacementPolicy<K> {

    private int capacity;
    /** Resident keys, least recently used first. */
    private final LinkedHashSet<K> keys = new LinkedHashSet<>();

    /** An empty LRU cache of {@code capacity} keys. */
    public LruPolicy(int capacity) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        this.capacity = capacity;
    }

    /** @throws IllegalArgumentException if {@code key} or {@code evicted} is null */
    @Override
    public boolean reference(K key, Consumer<? super K> evicted) {
        checkArgument(key != null, "key must not be null");
        checkArgument(evicted != null, "the evicted-key consumer must not be null");
        if (keys.remove(key)) {
            keys.add(key);
            return true;
        }
        if (keys.size() >= capacity) {
            Iterator<K> it = keys.iterator();
            K victim = it.next();
            it.remove();
            evicted.accept(victim);
        }
        keys.add(key);
        return false;
    }

    @Override
    public boolean contains(K key) {
        return keys.contains(key);
    }

    @Override
    public boolean remove(K key) {
        return keys.remove(key);
    }

    @Override
    public int size() {
        return keys.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public String name() {
        return "lru";
    }

    /** A smaller capacity evicts the least recently used keys first. */
    @Override
    public void resize(int capacity, Consumer<? super K> evicted) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        checkArgument(evicted != null, "the evicted-key consumer must not be null");
        this.capacity = capacity;
        while (keys.size() > capacity) {
            Iterator<K> it = keys.iterator();
            K victim = it.next();
            it.remove();
            evicted.accept(victim);
        }
    }

    @Override
    public String toString() {
        return "LRU{c=" + capacity + ", size=" + keys.size() + "}";
    }
}
