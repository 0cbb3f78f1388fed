package dev.storagelab.workbench.engines;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A lab-03 ordered map as an in-memory {@link OrderedStore}, so workloads and the shell can run on
 * it beside the disk engines: nothing is durable, {@code sync()} does nothing. A map that is not
 * safe for concurrent use is guarded by a read-write lock; a scan copies its range under the lock
 * (a map's iterators are not safe beside a writer).
 */
final class MapStore implements OrderedStore {

    private final NavigableMap<Bytes, Bytes> map;
    private final ReadWriteLock lock;

    /**
     * @param lock the lock that guards {@code map}, or null for a map whose readers need none and
     *             whose writers serialise themselves (lab-03's skip list)
     */
    MapStore(NavigableMap<Bytes, Bytes> map, boolean locked) {
        this.map = map;
        this.lock = locked ? new ReentrantReadWriteLock() : null;
    }

    NavigableMap<Bytes, Bytes> map() {
        return map;
    }

    @Override
    public Optional<Bytes> get(Bytes key) {
        KeyValueStore.checkKey(key);
        lockRead();
        try {
            return Optional.ofNullable(map.get(key));
        } finally {
            unlockRead();
        }
    }

    @Override
    public void put(Bytes key, Bytes value) {
        KeyValueStore.checkKey(key);
        KeyValueStore.checkValue(value);
        lockWrite();
        try {
            map.put(key, value);
        } finally {
            unlockWrite();
        }
    }

    @Override
    public void delete(Bytes key) {
        KeyValueStore.checkKey(key);
        lockWrite();
        try {
            map.remove(key);
        } finally {
            unlockWrite();
        }
    }

    @Override
    public void sync() {}

    @Override
    public void close() {}

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return new Batches(from, to, false);
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return new Batches(from, to, true);
    }

    /**
     * A scan in batches of up to {@link #BATCH} entries, each copied under the read lock and
     * resumed after the last key returned: a scan that stops after 100 keys copies about 100
     * keys, and a writer is never blocked for longer than one batch.
     */
    private final class Batches implements EntryIterator {
        private static final int BATCH = 256;
        private final Bytes from;
        private final Bytes to;
        private final boolean descending;
        private final java.util.ArrayDeque<Entry> batch = new java.util.ArrayDeque<>();
        private Bytes last;
        private boolean done;

        Batches(Bytes from, Bytes to, boolean descending) {
            if (from != null && to != null && from.compareTo(to) > 0) {
                throw new IllegalArgumentException(
                        "range start " + from + " is after its end " + to + "; a range is [from, to)");
            }
            this.from = from;
            this.to = to;
            this.descending = descending;
        }

        @Override
        public boolean hasNext() {
            if (batch.isEmpty() && !done) {
                refill();
            }
            return !batch.isEmpty();
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return batch.poll();
        }

        private void refill() {
            NavigableMap<Bytes, Bytes> m = map;
            if (descending) {
                Bytes high = last != null ? last : to;
                m = high == null ? m : m.headMap(high, false);
                m = from == null ? m.descendingMap() : m.tailMap(from, true).descendingMap();
            } else {
                m = last != null ? m.tailMap(last, false) : from != null ? m.tailMap(from, true) : m;
                m = to == null ? m : m.headMap(to, false);
            }
            lockRead();
            try {
                for (Map.Entry<Bytes, Bytes> e : m.entrySet()) {
                    batch.add(Entry.put(e.getKey(), e.getValue()));
                    if (batch.size() == BATCH) {
                        break;
                    }
                }
            } finally {
                unlockRead();
            }
            done = batch.size() < BATCH;
            if (!batch.isEmpty()) {
                last = batch.peekLast().key();
            }
        }

        @Override
        public void close() {
            done = true;
            batch.clear();
        }
    }

    private void lockRead() {
        if (lock != null) {
            lock.readLock().lock();
        }
    }

    private void unlockRead() {
        if (lock != null) {
            lock.readLock().unlock();
        }
    }

    private void lockWrite() {
        if (lock != null) {
            lock.writeLock().lock();
        }
    }

    private void unlockWrite() {
        if (lock != null) {
            lock.writeLock().unlock();
        }
    }
}
