package dev.storagelab.bst;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The {@link NavigableMap} machinery the lab's three ordered maps share: range views
 * ({@code subMap}, {@code headMap}, {@code tailMap}), descending views, key and entry sets,
 * polling and iteration, all built from eight primitives each structure provides. A structure
 * (the BST, the AVL tree, the skip list) only has to find, insert and delete a node and step to
 * its neighbours; everything {@link java.util.TreeMap} offers on top comes from here, and Guava's
 * conformance suites check all of it.
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
    private final RangeView all = new RangeView(true, null, true, true, null, true, false);

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

    private static <K, V> Map.Entry<K, V> snapshot(Map.Entry<K, V> node) {
        return node == null ? null : new AbstractMap.SimpleImmutableEntry<>(node.getKey(), node.getValue());
    }

    private static <K> K keyOrNull(Map.Entry<K, ?> node) {
        return node == null ? null : node.getKey();
    }

    private static <K> K keyOrThrow(Map.Entry<K, ?> node) {
        if (node == null) {
            throw new NoSuchElementException("the map (or this view of it) is empty");
        }
        return node.getKey();
    }

    // ---------------------------------------------------------------------------------------
    // Views.

    /**
     * A live view of the keys between two optional bounds, in ascending or descending order. All
     * bounds are absolute (lo ≤ hi in the map's order) whichever way the view runs; the whole map
     * is the view with neither bound.
     */
    private final class RangeView extends AbstractMap<K, V> implements NavigableMap<K, V> {
        private final boolean fromStart;
        private final K lo;
        private final boolean loInclusive;
        private final boolean toEnd;
        private final K hi;
        private final boolean hiInclusive;
        private final boolean descending;
        private KeyView keys;
        private EntryView entries;

        RangeView(boolean fromStart, K lo, boolean loInclusive, boolean toEnd, K hi, boolean hiInclusive,
                boolean descending) {
            this.fromStart = fromStart;
            this.lo = lo;
            this.loInclusive = loInclusive;
            this.toEnd = toEnd;
            this.hi = hi;
            this.hiInclusive = hiInclusive;
            this.descending = descending;
        }

        private boolean unbounded() {
            return fromStart && toEnd;
        }

        private boolean tooLow(Object key) {
            if (fromStart) {
                return false;
            }
            int c = compare(key, lo);
            return c < 0 || (c == 0 && !loInclusive);
        }

        private boolean tooHigh(Object key) {
            if (toEnd) {
                return false;
            }
            int c = compare(key, hi);
            return c > 0 || (c == 0 && !hiInclusive);
        }

        private boolean inRange(Object key) {
            return !tooLow(key) && !tooHigh(key);
        }

        /** Whether a new view may have a bound at {@code key}: inside this view, or on an exclusive edge of it. */
        private boolean inRange(Object key, boolean inclusive) {
            if (inclusive) {
                return inRange(key);
            }
            return (fromStart || compare(key, lo) >= 0) && (toEnd || compare(hi, key) >= 0);
        }

        // Absolute navigation within the bounds.

        private Map.Entry<K, V> absLowest() {
            Map.Entry<K, V> e = fromStart ? firstNode() : seekCeiling(lo, loInclusive);
            return e == null || tooHigh(e.getKey()) ? null : e;
        }

        private Map.Entry<K, V> absHighest() {
            Map.Entry<K, V> e = toEnd ? lastNode() : seekFloor(hi, hiInclusive);
            return e == null || tooLow(e.getKey()) ? null : e;
        }

        private Map.Entry<K, V> absCeiling(K key, boolean inclusive) {
            if (tooLow(key)) {
                return absLowest();
            }
            Map.Entry<K, V> e = seekCeiling(key, inclusive);
            return e == null || tooHigh(e.getKey()) ? null : e;
        }

        private Map.Entry<K, V> absFloor(K key, boolean inclusive) {
            if (tooHigh(key)) {
                return absHighest();
            }
            Map.Entry<K, V> e = seekFloor(key, inclusive);
            return e == null || tooLow(e.getKey()) ? null : e;
        }

        // Navigation in this view's direction.

        private Map.Entry<K, V> first() {
            return descending ? absHighest() : absLowest();
        }

        private Map.Entry<K, V> last() {
            return descending ? absLowest() : absHighest();
        }

        /** The first entry after {@code key} in this view's order (at or after, if inclusive). */
        private Map.Entry<K, V> after(K key, boolean inclusive) {
            return descending ? absFloor(key, inclusive) : absCeiling(key, inclusive);
        }

        /** The last entry before {@code key} in this view's order (at or before, if inclusive). */
        private Map.Entry<K, V> before(K key, boolean inclusive) {
            return descending ? absCeiling(key, inclusive) : absFloor(key, inclusive);
        }

        /** The entry after {@code node} in this view's order, or null at the view's end. */
        private Map.Entry<K, V> step(Map.Entry<K, V> node) {
            Map.Entry<K, V> e = descending ? prevNode(node) : nextNode(node);
            return e == null || !inRange(e.getKey()) ? null : e;
        }

        // Map.

        @Override
        public V get(Object key) {
            return inRange(checkKey(key)) ? AbstractOrderedMap.this.get(key) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return inRange(checkKey(key)) && AbstractOrderedMap.this.containsKey(key);
        }

        @Override
        public V put(K key, V value) {
            if (!inRange(checkKey(key))) {
                throw new IllegalArgumentException("key " + key + " is outside this view's range " + describeRange());
            }
            return AbstractOrderedMap.this.put(key, value);
        }

        @Override
        public V remove(Object key) {
            return inRange(checkKey(key)) ? AbstractOrderedMap.this.remove(key) : null;
        }

        @Override
        public int size() {
            if (unbounded()) {
                return AbstractOrderedMap.this.size();
            }
            int n = 0;
            for (Map.Entry<K, V> e = first(); e != null; e = step(e)) {
                n++;
            }
            return n;
        }

        @Override
        public boolean isEmpty() {
            return first() == null;
        }

        @Override
        public void clear() {
            if (unbounded()) {
                AbstractOrderedMap.this.clear();
            } else {
                for (Iterator<Map.Entry<K, V>> it = entrySet().iterator(); it.hasNext(); ) {
                    it.next();
                    it.remove();
                }
            }
        }

        @Override
        public Comparator<? super K> comparator() {
            return descending ? Collections.reverseOrder(comparator) : comparator;
        }

        @Override
        public Set<Map.Entry<K, V>> entrySet() {
            EntryView e = entries;
            return e != null ? e : (entries = new EntryView(this));
        }

        @Override
        public Set<K> keySet() {
            return navigableKeySet();
        }

        // NavigableMap.

        @Override
        public Map.Entry<K, V> firstEntry() {
            return snapshot(first());
        }

        @Override
        public Map.Entry<K, V> lastEntry() {
            return snapshot(last());
        }

        @Override
        public K firstKey() {
            return keyOrThrow(first());
        }

        @Override
        public K lastKey() {
            return keyOrThrow(last());
        }

        @Override
        public Map.Entry<K, V> lowerEntry(K key) {
            return snapshot(before(checkKey(key), false));
        }

        @Override
        public K lowerKey(K key) {
            return keyOrNull(before(checkKey(key), false));
        }

        @Override
        public Map.Entry<K, V> floorEntry(K key) {
            return snapshot(before(checkKey(key), true));
        }

        @Override
        public K floorKey(K key) {
            return keyOrNull(before(checkKey(key), true));
        }

        @Override
        public Map.Entry<K, V> ceilingEntry(K key) {
            return snapshot(after(checkKey(key), true));
        }

        @Override
        public K ceilingKey(K key) {
            return keyOrNull(after(checkKey(key), true));
        }

        @Override
        public Map.Entry<K, V> higherEntry(K key) {
            return snapshot(after(checkKey(key), false));
        }

        @Override
        public K higherKey(K key) {
            return keyOrNull(after(checkKey(key), false));
        }

        @Override
        public Map.Entry<K, V> pollFirstEntry() {
            return poll(true);
        }

        @Override
        public Map.Entry<K, V> pollLastEntry() {
            return poll(false);
        }

        /** Removes and returns the view's first entry; if another writer takes it first, tries the next first. */
        private Map.Entry<K, V> poll(boolean lowest) {
            while (true) {
                Map.Entry<K, V> node = lowest ? first() : last();
                if (node == null) {
                    return null;
                }
                if (removeNode(node)) {
                    return snapshot(node);
                }
            }
        }

        @Override
        public NavigableMap<K, V> descendingMap() {
            return new RangeView(fromStart, lo, loInclusive, toEnd, hi, hiInclusive, !descending);
        }

        @Override
        public NavigableSet<K> navigableKeySet() {
            KeyView k = keys;
            return k != null ? k : (keys = new KeyView(this));
        }

        @Override
        public NavigableSet<K> descendingKeySet() {
            return descendingMap().navigableKeySet();
        }

        @Override
        public NavigableMap<K, V> subMap(K fromKey, boolean fromInclusive, K toKey, boolean toInclusive) {
            checkKey(fromKey);
            checkKey(toKey);
            int order = compare(fromKey, toKey);
            if (descending ? order < 0 : order > 0) {
                throw new IllegalArgumentException("fromKey " + fromKey + " comes after toKey " + toKey + " in this map's order");
            }
            checkBound(fromKey, fromInclusive, "fromKey");
            checkBound(toKey, toInclusive, "toKey");
            return descending
                    ? new RangeView(false, toKey, toInclusive, false, fromKey, fromInclusive, true)
                    : new RangeView(false, fromKey, fromInclusive, false, toKey, toInclusive, false);
        }

        @Override
        public NavigableMap<K, V> headMap(K toKey, boolean inclusive) {
            checkBound(checkKey(toKey), inclusive, "toKey");
            return descending
                    ? new RangeView(false, toKey, inclusive, toEnd, hi, hiInclusive, true)
                    : new RangeView(fromStart, lo, loInclusive, false, toKey, inclusive, false);
        }

        @Override
        public NavigableMap<K, V> tailMap(K fromKey, boolean inclusive) {
            checkBound(checkKey(fromKey), inclusive, "fromKey");
            return descending
                    ? new RangeView(fromStart, lo, loInclusive, false, fromKey, inclusive, true)
                    : new RangeView(false, fromKey, inclusive, toEnd, hi, hiInclusive, false);
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

        private void checkBound(K key, boolean inclusive, String name) {
            if (!inRange(key, inclusive)) {
                throw new IllegalArgumentException(name + " " + key + " is outside this view's range " + describeRange());
            }
        }

        private String describeRange() {
            return (fromStart ? "(-∞" : (loInclusive ? "[" : "(") + lo) + ", "
                    + (toEnd ? "+∞)" : hi + (hiInclusive ? "]" : ")"));
        }

        /** Walks the view's nodes in its order; removal goes through the map. */
        private abstract class NodeIterator<T> implements Iterator<T> {
            private Map.Entry<K, V> next = first();
            private Map.Entry<K, V> lastReturned;
            private int expectedModCount = modCount;

            @Override
            public final boolean hasNext() {
                return next != null;
            }

            final Map.Entry<K, V> nextNode() {
                if (next == null) {
                    throw new NoSuchElementException("the iteration is over");
                }
                if (modCount != expectedModCount) {
                    throw new ConcurrentModificationException("the map changed during the iteration, not through this iterator");
                }
                lastReturned = next;
                next = step(next);
                return lastReturned;
            }

            @Override
            public final void remove() {
                if (lastReturned == null) {
                    throw new IllegalStateException("remove() needs a preceding next(), once per next()");
                }
                if (modCount != expectedModCount) {
                    throw new ConcurrentModificationException("the map changed during the iteration, not through this iterator");
                }
                // The successor was found before this removal; a structure keeps it valid.
                removeNode(lastReturned);
                lastReturned = null;
                expectedModCount = modCount;
            }
        }

        private final class EntryIterator extends NodeIterator<Map.Entry<K, V>> {
            @Override
            public Map.Entry<K, V> next() {
                return nextNode();
            }
        }

        private final class KeyIterator extends NodeIterator<K> {
            @Override
            public K next() {
                return nextNode().getKey();
            }
        }

        private final class EntryView extends AbstractSet<Map.Entry<K, V>> {
            private final RangeView map;

            EntryView(RangeView map) {
                this.map = map;
            }

            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                return map.new EntryIterator();
            }

            @Override
            public int size() {
                return map.size();
            }

            @Override
            public boolean isEmpty() {
                return map.isEmpty();
            }

            @Override
            public boolean contains(Object o) {
                return nodeFor(o) != null;
            }

            @Override
            public boolean remove(Object o) {
                Map.Entry<K, V> node = nodeFor(o);
                return node != null && removeNode(node);
            }

            @Override
            public void clear() {
                map.clear();
            }

            /** The node that equals the entry {@code o} (same key, same value) inside the view, or null. */
            private Map.Entry<K, V> nodeFor(Object o) {
                if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null) {
                    return null;
                }
                K key;
                try {
                    key = checkKey(e.getKey());
                } catch (ClassCastException notOurs) {
                    return null;
                }
                if (!map.inRange(key)) {
                    return null;
                }
                Map.Entry<K, V> node = findNode(key);
                return node != null && Objects.equals(node.getValue(), e.getValue()) ? node : null;
            }
        }
    }

    /** The keys of a view, as a live {@link NavigableSet}. */
    private final class KeyView extends AbstractSet<K> implements NavigableSet<K> {
        private final RangeView map;

        KeyView(RangeView map) {
            this.map = map;
        }

        @Override
        public Iterator<K> iterator() {
            return map.new KeyIterator();
        }

        @Override
        public Iterator<K> descendingIterator() {
            return descendingSet().iterator();
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return map.containsKey(o);
        }

        @Override
        public boolean remove(Object o) {
            if (!map.containsKey(o)) {
                return false;
            }
            map.remove(o);
            return true;
        }

        @Override
        public void clear() {
            map.clear();
        }

        @Override
        public Comparator<? super K> comparator() {
            return map.comparator();
        }

        @Override
        public K first() {
            return map.firstKey();
        }

        @Override
        public K last() {
            return map.lastKey();
        }

        @Override
        public K lower(K k) {
            return map.lowerKey(k);
        }

        @Override
        public K floor(K k) {
            return map.floorKey(k);
        }

        @Override
        public K ceiling(K k) {
            return map.ceilingKey(k);
        }

        @Override
        public K higher(K k) {
            return map.higherKey(k);
        }

        @Override
        public K pollFirst() {
            return keyOrNull(map.pollFirstEntry());
        }

        @Override
        public K pollLast() {
            return keyOrNull(map.pollLastEntry());
        }

        @Override
        public NavigableSet<K> descendingSet() {
            return map.descendingMap().navigableKeySet();
        }

        @Override
        public NavigableSet<K> subSet(K fromElement, boolean fromInclusive, K toElement, boolean toInclusive) {
            return map.subMap(fromElement, fromInclusive, toElement, toInclusive).navigableKeySet();
        }

        @Override
        public NavigableSet<K> headSet(K toElement, boolean inclusive) {
            return map.headMap(toElement, inclusive).navigableKeySet();
        }

        @Override
        public NavigableSet<K> tailSet(K fromElement, boolean inclusive) {
            return map.tailMap(fromElement, inclusive).navigableKeySet();
        }

        @Override
        public SortedSet<K> subSet(K fromElement, K toElement) {
            return subSet(fromElement, true, toElement, false);
        }

        @Override
        public SortedSet<K> headSet(K toElement) {
            return headSet(toElement, false);
        }

        @Override
        public SortedSet<K> tailSet(K fromElement) {
            return tailSet(fromElement, true);
        }
    }
}
