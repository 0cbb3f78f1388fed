package dev.storagelab.bst;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.Memtable;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * lab-03's memtable: the lab-01 {@link Memtable} contract on this lab's {@link SkipListMap}.
 * Writes go through the skip list's writer lock; reads and scans walk the list without a lock, so
 * a flush or a range scan never holds up a put. Plug it into the lab-01 store with
 * {@code SortedLogOptions.builder().memtableFactory(SkipListMemtable::new)}; lab-05's LSM uses it.
 *
 * <p>Scans walk the skip list's nodes directly rather than through a {@code NavigableMap} view:
 * an ascending scan is one seek and then one link per entry. A descending scan costs a search per
 * step (there are no backward links), O(log n) per entry; LevelDB pays the same.
 */
public final class SkipListMemtable implements Memtable {

    /** The entries by key; package-private so the lab's tests can reach its writer lock. */
    final SkipListMap<Bytes, Entry> entries;

    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean frozen;

    /** An empty memtable with a randomly seeded skip list. */
    public SkipListMemtable() {
        this(new SkipListMap<>());
    }

    /** An empty memtable whose skip list towers come from {@code seed}, for repeatable experiments. */
    public SkipListMemtable(long seed) {
        this(new SkipListMap<>(null, seed));
    }

    private SkipListMemtable(SkipListMap<Bytes, Entry> entries) {
        this.entries = entries;
    }

    /**
     * Records {@code entry} (a value or a tombstone), replacing any earlier entry for its key, and
     * adds the change to {@link #approximateBytes()}: the new entry's
     * {@link Entry#approximateBytes()}, minus the replaced entry's if there was one. Holds the skip
     * list's writer lock across the frozen check and the insert, so no write can land after
     * {@link #freeze()} has returned.
     *
     * @throws IllegalStateException if the memtable is frozen
     * @throws NullPointerException if {@code entry} is null
     */
    @Override
    public void apply(Entry entry) {
        checkNotNull(entry, "entry");
        // BEGIN SOLUTION lab-03 T7
        entries.writeLock.lock();
        try {
            if (frozen) {
                throw new IllegalStateException("memtable is frozen; writes go to the new active memtable");
            }
            Entry old = entries.put(entry.key(), entry);
            bytes.addAndGet(entry.approximateBytes() - (old == null ? 0 : old.approximateBytes()));
        } finally {
            entries.writeLock.unlock();
        }
        // END SOLUTION
    }

    /** The entry for {@code key}, a tombstone included, or null if this memtable has none. No lock. */
    @Override
    public Entry get(Bytes key) {
        checkNotNull(key, "key");
        // BEGIN SOLUTION lab-03 T7
        return entries.get(key);
        // END SOLUTION
    }

    /**
     * Entries with keys ≥ {@code from} (all, if null) in increasing order: seek once with
     * {@link SkipListMap#seekCeiling}, then follow level-0 links. Weakly consistent: it sees every
     * entry written before it started, and may or may not see later ones.
     */
    @Override
    public EntryIterator iterator(Bytes from) {
        // BEGIN SOLUTION lab-03 T7
        return new Walk(from == null ? entries.firstNode() : entries.seekCeiling(from, true), false);
        // END SOLUTION
    }

    /**
     * Entries with keys ≤ {@code from} (all, if null) in decreasing order: seek with
     * {@link SkipListMap#seekFloor}, then step back with {@link SkipListMap#prevNode}.
     */
    @Override
    public EntryIterator descendingIterator(Bytes from) {
        // BEGIN SOLUTION lab-03 T7
        return new Walk(from == null ? entries.lastNode() : entries.seekFloor(from, true), true);
        // END SOLUTION
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public long approximateBytes() {
        return bytes.get();
    }

    /** Makes the memtable immutable; waits for a write in progress, and no write lands after it returns. */
    @Override
    public void freeze() {
        entries.writeLock.lock();
        try {
            frozen = true;
        } finally {
            entries.writeLock.unlock();
        }
    }

    @Override
    public boolean isFrozen() {
        return frozen;
    }

    /** A walk along the skip list from a node, forward on level 0 or backward by search. */
    private final class Walk implements EntryIterator {
        private SkipListMap.Node<Bytes, Entry> next;
        private final boolean backward;

        Walk(SkipListMap.Node<Bytes, Entry> start, boolean backward) {
            this.next = start;
            this.backward = backward;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry next() {
            if (next == null) {
                throw new NoSuchElementException("the memtable scan is over");
            }
            SkipListMap.Node<Bytes, Entry> current = next;
            next = backward ? entries.prevNode(current) : current.next(0);
            return current.getValue();
        }

        @Override
        public void close() {
            next = null;
        }
    }
}
