package dev.storagelab.hybrid.cache.hidden;

import dev.storagelab.hybrid.cache.ReplacementPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A test policy that evicts resident keys chosen by a seeded random generator: eviction orders no
 * LRU produces, for the write-back cache's tests, without depending on the student's ARC or LFU.
 * A miss in a full cache evicts between 1 and {@code maxPerMiss} keys at once (the interface allows
 * it: a policy may make more room than one entry), so a cache that writes each evicted dirty entry
 * in its own batch, or does not sort the batch, is caught.
 */
final class RandomEvictionPolicy<K> implements ReplacementPolicy<K> {

    private final int capacity;
    private final SplittableRandom random;
    private final int maxPerMiss;
    private final List<K> keys = new ArrayList<>();
    private final Map<K, Integer> index = new HashMap<>();

    RandomEvictionPolicy(int capacity, long seed, int maxPerMiss) {
        this.capacity = capacity;
        this.random = new SplittableRandom(seed);
        this.maxPerMiss = maxPerMiss;
    }

    @Override
    public boolean reference(K key, Consumer<? super K> evicted) {
        if (index.containsKey(key)) {
            return true;
        }
        if (keys.size() >= capacity) {
            int n = Math.min(keys.size(), 1 + random.nextInt(maxPerMiss));
            for (int i = 0; i < n; i++) {
                K victim = keys.get(random.nextInt(keys.size()));
                remove(victim);
                evicted.accept(victim);
            }
        }
        index.put(key, keys.size());
        keys.add(key);
        return false;
    }

    @Override
    public boolean contains(K key) {
        return index.containsKey(key);
    }

    @Override
    public boolean remove(K key) {
        Integer i = index.remove(key);
        if (i == null) {
            return false;
        }
        K last = keys.remove(keys.size() - 1);
        if (i < keys.size()) {
            keys.set(i, last);
            index.put(last, i);
        }
        return true;
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
        return "random";
    }
}
