package dev.storagelab.kv;

import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JDK's {@link ConcurrentSkipListMap} as a {@link Memtable}: the memtable lab-01 runs on until
 * lab-03 builds its own. Readers never block.
 */
public final class ConcurrentSkipListMemtable implements Memtable {

    private final ConcurrentNavigableMap<Bytes, Entry> map = new ConcurrentSkipListMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean frozen;

    /** Synchronised with {@link #freeze()}, so no write lands after it returns; readers take no lock. */
    @Override
    public synchronized void apply(Entry entry) {
        if (frozen) {
            throw new IllegalStateException("memtable is frozen; writes go to the new active memtable");
        }
        Entry old = map.put(entry.key(), entry);
        bytes.addAndGet(entry.approximateBytes() - (old == null ? 0 : old.approximateBytes()));
    }

    @Override
    public Entry get(Bytes key) {
        return map.get(key);
    }

    @Override
    public EntryIterator iterator(Bytes from) {
        return EntryIterator.of(
                (from == null ? map : map.tailMap(from, true)).values().iterator());
    }

    @Override
    public EntryIterator descendingIterator(Bytes from) {
        return EntryIterator.of((from == null ? map : map.headMap(from, true))
                .descendingMap()
                .values()
                .iterator());
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public long approximateBytes() {
        return bytes.get();
    }

    @Override
    public synchronized void freeze() {
        frozen = true;
    }

    @Override
    public boolean isFrozen() {
        return frozen;
    }
}
