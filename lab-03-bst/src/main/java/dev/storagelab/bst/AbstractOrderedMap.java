package dev.storagelab.bst;

import java.util.AbstractMap;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;

/**
 * The {@link NavigableMap} machinery the lab's three ordered maps share: range views
 * ({@code subMap}, {@code headMap}, {@code tailMap}), descending views, key and entry sets,
 * polling and iteration, all built from eight primitives each structure provides. A structure
 * (the BST, the AVL tree, the skip list) only has to find, insert and delete a node and step to
 * its neighbours; everything {@link java.util.TreeMap} offers on top comes from here, and Guava's
 * conformance suites check all of it. The views themselves are {@link RangeView} (the whole map
 * is the view with no bounds, to which the navigation methods here delegate) and {@link KeyView}.
 *
 * <p>Keys are never null (a null key gets a {@link NullPointerException} that says so); values
 * may be. Keys are ordered by the comparator given to the constructor, or by their natural order
 * when it is null.
 *
 * <p>Iterators are fail-fast for structures that count their structural changes in
 * {@link #modCount}; a concurrent structure leaves it at zero, and its iterators are then weakly
 * consistent (they never throw, and see each entry as it was at some moment during the walk).
 */
public abstract class AbstractOrderedMap<K, V> extends AbstractMap<K, V> implements NavigableMap<K, V> {

    private final Comparator<? super K> comparator;
    private final RangeView<K, V> all = new RangeView<>(this, true, null, true, true, null, true, false);

    /** Structural changes (inserts and deletes) so far, for fail-fast iterators. */
    protected int modCount;

    /** @param comparator the key order, or null for the keys' natural order */
    protected AbstractOrderedMap(Comparator<? super K> comparator) {
        this.comparator = comparator;
    }

    // ---------------------------------------------------------------------------------------
    // The primitives a structure provides. Keys passed in are never null and already checked.

    /** The node holding {@code key}, or null. */
    protected abstract Map.Entry<K, V> findNode(K key);

    /** The node with the smallest key ≥ {@code key} (> {@code key} if not inclusive), or null. */
    protected abstract Map.Entry<K, V> seekCeiling(K key, boolean inclusive);

    /** The node with the largest key ≤ {@code key} (< {@code key} if not inclusive), or null. */
    protected abstract Map.Entry<K, V> seekFloor(K key, boolean inclusive);

    /** The node with the smallest key, or null if the map is empty. */
    protected abstract Map.Entry<K, V> firstNode();

    /** The node with the largest key, or null if the map is empty. */
    protected abstract Map.Entry<K, V> lastNode();

    /** The node that follows {@code node} in key order, or null if it is the last. */
    protected abstract Map.Entry<K, V> nextNode(Map.Entry<K, V> node);

    /** The node that precedes {@code node} in key order, or null if it is the first. */
    protected abstract Map.Entry<K, V> prevNode(Map.Entry<K, V> node);

    /**
     * Unlinks {@code node}, which this map returned. Returns false, and changes nothing, if the
     * node is no longer in the map (only a concurrent structure, where another writer may have
     * removed it first, can return false).
     */
    protected abstract boolean removeNode(Map.Entry<K, V> node);

    @Override
    public abstract V put(K key, V value);

    @Override
    public abstract int size();

    @Override
    public abstract void clear();

    // ---------------------------------------------------------------------------------------
    // Key checks and comparison.

    /** Compares two keys in this map's order. */
    @SuppressWarnings("unchecked")
    protected final int compare(Object a, Object b) {
        return comparator == null ? ((Comparable<Object>) a).compareTo(b) : comparator.compare((K) a, (K) b);
    }

    /**
     * {@code key} as a key of this map: a {@link NullPointerException} if it is null, and a
     * {@link ClassCastException} (from the comparison) if it cannot be compared with keys.
     */
    @SuppressWarnings("unchecked")
    protected final K checkKey(Object key) {
        if (key == null) {
            throw new NullPointerException("key is null: an ordered map has no place to put a null key");
        }
        compare(key, key);
        return (K) key;
    }

    // ---------------------------------------------------------------------------------------
    // Map.

    @Override
    public V get(Object key) {
        Map.Entry<K, V> node = findNode(checkKey(key));
        return node == null ? null : node.getValue();
    }

    @Override
    public boolean containsKey(Object key) {
        return findNode(checkKey(key)) != null;
    }

    @Override
    public V remove(Object key) {
        Map.Entry<K, V> node = findNode(checkKey(key));
        if (node == null) {
            return null;
        }
        V old = node.getValue();
        removeNode(node);
        return old;
    }

    @Override
    public boolean isEmpty() {
        return firstNode() == null;
    }

    @Override
    public Comparator<? super K> comparator() {
        return comparator;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return all.entrySet();
    }

    @Override
    public Set<K> keySet() {
        return all.navigableKeySet();
    }

    // ---------------------------------------------------------------------------------------
    // NavigableMap: the whole map is the view with no bounds.

    @Override
    public Map.Entry<K, V> firstEntry() {
        return all.firstEntry();
    }

    @Override
    public Map.Entry<K, V> lastEntry() {
        return all.lastEntry();
    }

    @Override
    public K firstKey() {
        return all.firstKey();
    }

    @Override
    public K lastKey() {
        return all.lastKey();
    }

    @Override
    public Map.Entry<K, V> lowerEntry(K key) {
        return all.lowerEntry(key);
    }

    @Override
    public K lowerKey(K key) {
        return all.lowerKey(key);
    }

    @Override
    public Map.Entry<K, V> floorEntry(K key) {
        return all.floorEntry(key);
    }

    @Override
    public K floorKey(K key) {
        return all.floorKey(key);
    }

    @Override
    public Map.Entry<K, V> ceilingEntry(K key) {
        return all.ceilingEntry(key);
    }

    @Override
    public K ceilingKey(K key) {
        return all.ceilingKey(key);
    }

    @Override
    public Map.Entry<K, V> higherEntry(K key) {
        return all.higherEntry(key);
    }

    @Override
    public K higherKey(K key) {
        return all.higherKey(key);
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        return all.pollFirstEntry();
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        return all.pollLastEntry();
    }

    @Override
    public NavigableMap<K, V> descendingMap() {
        return all.descendingMap();
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        return all.navigableKeySet();
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return all.descendingKeySet();
    }

    @Override
    public NavigableMap<K, V> subMap(K fromKey, boolean fromInclusive, K toKey, boolean toInclusive) {
        return all.subMap(fromKey, fromInclusive, toKey, toInclusive);
    }

    @Override
    public NavigableMap<K, V> headMap(K toKey, boolean inclusive) {
        return all.headMap(toKey, inclusive);
    }

    @Override
    public NavigableMap<K, V> tailMap(K fromKey, boolean inclusive) {
        return all.tailMap(fromKey, inclusive);
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
        return subMap(fromKey, true, toKey, false);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
        return headMap(toKey, false);
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
        return tailMap(fromKey, true);
    }

    static <K, V> Map.Entry<K, V> snapshot(Map.Entry<K, V> node) {
        return node == null ? null : new AbstractMap.SimpleImmutableEntry<>(node.getKey(), node.getValue());
    }

    static <K> K keyOrNull(Map.Entry<K, ?> node) {
        return node == null ? null : node.getKey();
    }

    static <K> K keyOrThrow(Map.Entry<K, ?> node) {
        if (node == null) {
            throw new NoSuchElementException("the map (or this view of it) is empty");
        }
        return node.getKey();
    }
}
