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

/**
 * A live view of the keys between two optional bounds, in ascending or descending order. All
 * bounds are absolute (lo ≤ hi in the map's order) whichever way the view runs; the whole map
 * is the view with neither bound. It reads and writes through its owner's primitives
 * ({@link AbstractOrderedMap#seekCeiling}, {@link AbstractOrderedMap#nextNode}, ...), so every
 * structure of the lab gets the same views.
 */
final class RangeView<K, V> extends AbstractMap<K, V> implements NavigableMap<K, V> {
    /** The map this is a view of. */
    private final AbstractOrderedMap<K, V> owner;

    private final boolean fromStart;
    private final K lo;
    private final boolean loInclusive;
    private final boolean toEnd;
    private final K hi;
    private final boolean hiInclusive;
    private final boolean descending;
    private KeyView<K, V> keys;
    private EntryView entries;

    RangeView(
            AbstractOrderedMap<K, V> owner,
            boolean fromStart,
            K lo,
            boolean loInclusive,
            boolean toEnd,
            K hi,
            boolean hiInclusive,
            boolean descending) {
        this.owner = owner;
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
        int c = owner.compare(key, lo);
        return c < 0 || (c == 0 && !loInclusive);
    }

    private boolean tooHigh(Object key) {
        if (toEnd) {
            return false;
        }
        int c = owner.compare(key, hi);
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
        return (fromStart || owner.compare(key, lo) >= 0) && (toEnd || owner.compare(hi, key) >= 0);
    }

    // Absolute navigation within the bounds.

    private Map.Entry<K, V> absLowest() {
        Map.Entry<K, V> e = fromStart ? owner.firstNode() : owner.seekCeiling(lo, loInclusive);
        return e == null || tooHigh(e.getKey()) ? null : e;
    }

    private Map.Entry<K, V> absHighest() {
        Map.Entry<K, V> e = toEnd ? owner.lastNode() : owner.seekFloor(hi, hiInclusive);
        return e == null || tooLow(e.getKey()) ? null : e;
    }

    private Map.Entry<K, V> absCeiling(K key, boolean inclusive) {
        if (tooLow(key)) {
            return absLowest();
        }
        Map.Entry<K, V> e = owner.seekCeiling(key, inclusive);
        return e == null || tooHigh(e.getKey()) ? null : e;
    }

    private Map.Entry<K, V> absFloor(K key, boolean inclusive) {
        if (tooHigh(key)) {
            return absHighest();
        }
        Map.Entry<K, V> e = owner.seekFloor(key, inclusive);
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
        Map.Entry<K, V> e = descending ? owner.prevNode(node) : owner.nextNode(node);
        return e == null || !inRange(e.getKey()) ? null : e;
    }

    // Map.

    @Override
    public V get(Object key) {
        return inRange(owner.checkKey(key)) ? owner.get(key) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return inRange(owner.checkKey(key)) && owner.containsKey(key);
    }

    @Override
    public V put(K key, V value) {
        if (!inRange(owner.checkKey(key))) {
            throw new IllegalArgumentException("key " + key + " is outside this view's range " + describeRange());
        }
        return owner.put(key, value);
    }

    @Override
    public V remove(Object key) {
        return inRange(owner.checkKey(key)) ? owner.remove(key) : null;
    }

    @Override
    public int size() {
        if (unbounded()) {
            return owner.size();
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
            owner.clear();
        } else {
            for (Iterator<Map.Entry<K, V>> it = entrySet().iterator(); it.hasNext(); ) {
                it.next();
                it.remove();
            }
        }
    }

    @Override
    public Comparator<? super K> comparator() {
        return descending ? Collections.reverseOrder(owner.comparator()) : owner.comparator();
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
        return AbstractOrderedMap.snapshot(first());
    }

    @Override
    public Map.Entry<K, V> lastEntry() {
        return AbstractOrderedMap.snapshot(last());
    }

    @Override
    public K firstKey() {
        return AbstractOrderedMap.keyOrThrow(first());
    }

    @Override
    public K lastKey() {
        return AbstractOrderedMap.keyOrThrow(last());
    }

    @Override
    public Map.Entry<K, V> lowerEntry(K key) {
        return AbstractOrderedMap.snapshot(before(owner.checkKey(key), false));
    }

    @Override
    public K lowerKey(K key) {
        return AbstractOrderedMap.keyOrNull(before(owner.checkKey(key), false));
    }

    @Override
    public Map.Entry<K, V> floorEntry(K key) {
        return AbstractOrderedMap.snapshot(before(owner.checkKey(key), true));
    }

    @Override
    public K floorKey(K key) {
        return AbstractOrderedMap.keyOrNull(before(owner.checkKey(key), true));
    }

    @Override
    public Map.Entry<K, V> ceilingEntry(K key) {
        return AbstractOrderedMap.snapshot(after(owner.checkKey(key), true));
    }

    @Override
    public K ceilingKey(K key) {
        return AbstractOrderedMap.keyOrNull(after(owner.checkKey(key), true));
    }

    @Override
    public Map.Entry<K, V> higherEntry(K key) {
        return AbstractOrderedMap.snapshot(after(owner.checkKey(key), false));
    }

    @Override
    public K higherKey(K key) {
        return AbstractOrderedMap.keyOrNull(after(owner.checkKey(key), false));
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
            if (owner.removeNode(node)) {
                return AbstractOrderedMap.snapshot(node);
            }
        }
    }

    @Override
    public NavigableMap<K, V> descendingMap() {
        return new RangeView<>(owner, fromStart, lo, loInclusive, toEnd, hi, hiInclusive, !descending);
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        KeyView k = keys;
        return k != null ? k : (keys = new KeyView<>(this));
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return descendingMap().navigableKeySet();
    }

    @Override
    public NavigableMap<K, V> subMap(K fromKey, boolean fromInclusive, K toKey, boolean toInclusive) {
        owner.checkKey(fromKey);
        owner.checkKey(toKey);
        int order = owner.compare(fromKey, toKey);
        if (descending ? order < 0 : order > 0) {
            throw new IllegalArgumentException(
                    "fromKey " + fromKey + " comes after toKey " + toKey + " in this map's order");
        }
        checkBound(fromKey, fromInclusive, "fromKey");
        checkBound(toKey, toInclusive, "toKey");
        return descending
                ? new RangeView<>(owner, false, toKey, toInclusive, false, fromKey, fromInclusive, true)
                : new RangeView<>(owner, false, fromKey, fromInclusive, false, toKey, toInclusive, false);
    }

    @Override
    public NavigableMap<K, V> headMap(K toKey, boolean inclusive) {
        checkBound(owner.checkKey(toKey), inclusive, "toKey");
        return descending
                ? new RangeView<>(owner, false, toKey, inclusive, toEnd, hi, hiInclusive, true)
                : new RangeView<>(owner, fromStart, lo, loInclusive, false, toKey, inclusive, false);
    }

    @Override
    public NavigableMap<K, V> tailMap(K fromKey, boolean inclusive) {
        checkBound(owner.checkKey(fromKey), inclusive, "fromKey");
        return descending
                ? new RangeView<>(owner, fromStart, lo, loInclusive, false, fromKey, inclusive, true)
                : new RangeView<>(owner, false, fromKey, inclusive, toEnd, hi, hiInclusive, false);
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
    abstract class NodeIterator<T> implements Iterator<T> {
        private Map.Entry<K, V> next = first();
        private Map.Entry<K, V> lastReturned;
        private int expectedModCount = owner.modCount;

        @Override
        public final boolean hasNext() {
            return next != null;
        }

        final Map.Entry<K, V> nextNode() {
            if (next == null) {
                throw new NoSuchElementException("the iteration is over");
            }
            if (owner.modCount != expectedModCount) {
                throw new ConcurrentModificationException(
                        "the map changed during the iteration, not through this iterator");
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
            if (owner.modCount != expectedModCount) {
                throw new ConcurrentModificationException(
                        "the map changed during the iteration, not through this iterator");
            }
            // The successor was found before this removal; a structure keeps it valid.
            owner.removeNode(lastReturned);
            lastReturned = null;
            expectedModCount = owner.modCount;
        }
    }

    final class EntryIterator extends NodeIterator<Map.Entry<K, V>> {
        @Override
        public Map.Entry<K, V> next() {
            return nextNode();
        }
    }

    final class KeyIterator extends NodeIterator<K> {
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
            return node != null && owner.removeNode(node);
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
                key = owner.checkKey(e.getKey());
            } catch (ClassCastException notOurs) {
                return null;
            }
            if (!map.inRange(key)) {
                return null;
            }
            Map.Entry<K, V> node = owner.findNode(key);
            return node != null && Objects.equals(node.getValue(), e.getValue()) ? node : null;
        }
    }
}
