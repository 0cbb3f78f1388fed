package dev.storagelab.hybrid.cache;

import java.util.function.Consumer;

/**
 * Which keys a cache of {@link #capacity()} entries keeps: ARC, LRU and LFU behind one
 * interface, so the write-back cache and the hit-rate comparison can swap them. A policy holds
 * keys only; the cache holds the values.
 *
 * @param <K> the key type (equals and hashCode by content)
 */
public interface ReplacementPolicy<K> {

    /**
     * Records a reference to {@code key}: returns true if it was resident (a hit). On a miss the key
     * becomes resident; each resident key the policy evicts to make room is passed to
     * {@code evicted} before this returns (ghost entries are not resident and are never passed).
     */
    boolean reference(K key, Consumer<? super K> evicted);

    /** Whether {@code key} is resident (a ghost entry is not). */
    boolean contains(K key);

    /** Drops {@code key} (resident or ghost); returns whether it was resident. */
    boolean remove(K key);

    /** Resident keys. */
    int size();

    /** The most resident keys the policy keeps. */
    int capacity();

    /** {@code arc}, {@code lru} or {@code lfu}: what reports call the policy. */
    String name();

    /**
     * Changes the capacity at run time (the tuner's knob, lab-07 T10): a smaller capacity evicts
     * resident keys, the policy's choice, each passed to {@code evicted} before this returns, until
     * {@code size() <= capacity}; a larger one only makes room. A policy that cannot be resized throws
     * {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException if {@code capacity < 1} or {@code evicted} is null
     */
    default void resize(int capacity, Consumer<? super K> evicted) {
        throw new UnsupportedOperationException("replacement policy " + name() + " cannot be resized");
    }
}
