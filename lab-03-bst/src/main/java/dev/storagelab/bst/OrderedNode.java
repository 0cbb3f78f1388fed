package dev.storagelab.bst;

import java.util.Map;
import java.util.Objects;

/**
 * One key and its value inside an ordered map: the part every node of every structure in this lab
 * shares (a tree node adds child links, a skip-list node adds its tower of next links). Nodes are
 * the map's entries: an entry-set iterator hands them out, and {@link #setValue} writes through.
 *
 * <p>The value is volatile so that a reader of the skip list, which takes no lock, sees a replaced
 * value whole and in order with the writes that came before it.
 */
public abstract class OrderedNode<K, V> implements Map.Entry<K, V> {

    final K key;
    volatile V value;

    protected OrderedNode(K key, V value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public final K getKey() {
        return key;
    }

    @Override
    public final V getValue() {
        return value;
    }

    /** Replaces the value in the map. For a concurrent map this is a write: one writer at a time. */
    @Override
    public final V setValue(V newValue) {
        V old = value;
        value = newValue;
        return old;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof Map.Entry<?, ?> e && Objects.equals(key, e.getKey()) && Objects.equals(value, e.getValue());
    }

    @Override
    public final int hashCode() {
        return Objects.hashCode(key) ^ Objects.hashCode(value);
    }

    @Override
    public final String toString() {
        return key + "=" + value;
    }
}
