package dev.storagelab.mvcc;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link OrderedStore} on a {@link ConcurrentSkipListMap}, for tests: thread-safe, scans
 * weakly consistent (they never miss a key that is there for the whole scan). It counts the scans
 * opened (seeks) and the entries they returned (steps), so a test can see whether a read walks
 * versions or seeks past them.
 */
public final class MemoryOrderedStore implements OrderedStore {

    private final ConcurrentSkipListMap<Bytes, Bytes> map = new ConcurrentSkipListMap<>();
    private final AtomicLong scansOpened = new AtomicLong();
    private final AtomicLong entriesRead = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();

    @Override
    public Optional<Bytes> get(Bytes key) {
        return Optional.ofNullable(map.get(key));
    }

    @Override
    public void put(Bytes key, Bytes value) {
        map.put(KeyValueStore.checkKey(key), KeyValueStore.checkValue(value));
    }

    @Override
    public void delete(Bytes key) {
        deletes.incrementAndGet();
        map.remove(KeyValueStore.checkKey(key));
    }

    @Override
    public void sync() {}

    @Override
    public void close() {}

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return counted(range(from, to).entrySet().iterator());
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return counted(range(from, to).descendingMap().entrySet().iterator());
    }

    private NavigableMap<Bytes, Bytes> range(Bytes from, Bytes to) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            throw new IllegalArgumentException("scan range is reversed: from " + from + " > to " + to);
        }
        NavigableMap<Bytes, Bytes> m = map;
        if (from != null) {
            m = m.tailMap(from, true);
        }
        if (to != null) {
            m = m.headMap(to, false);
        }
        return m;
    }

    private EntryIterator counted(Iterator<Map.Entry<Bytes, Bytes>> it) {
        scansOpened.incrementAndGet();
        return new EntryIterator() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Entry next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<Bytes, Bytes> e = it.next();
                entriesRead.incrementAndGet();
                return Entry.put(e.getKey(), e.getValue());
            }

            @Override
            public void close() {}
        };
    }

    /** The engine's keys and values as they are: every version, encoded. */
    public NavigableMap<Bytes, Bytes> contents() {
        return map;
    }

    /** How many engine entries the store holds. */
    public int size() {
        return map.size();
    }

    /** Scans opened so far (each is a seek). */
    public long scansOpened() {
        return scansOpened.get();
    }

    /** Entries returned by scans so far (each is a step). */
    public long entriesRead() {
        return entriesRead.get();
    }

    /** Engine deletes so far. */
    public long deletes() {
        return deletes.get();
    }

    @Override
    public String toString() {
        return "memory store (" + map.size() + " entries)";
    }
}
