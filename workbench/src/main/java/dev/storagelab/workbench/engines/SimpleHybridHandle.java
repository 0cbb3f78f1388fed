package dev.storagelab.workbench.engines;

import com.google.common.base.Ticker;
import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.SimpleHybridStore;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * lab-07's {@link SimpleHybridStore}, the episode's naive hybrid (per-key counters, fixed
 * thresholds, inline moves, an LRU cache), as the workbench engine {@code hybrid-simple}: the
 * baseline the hardened {@code hybrid} is measured against. The store is not thread-safe, so the
 * workbench reaches it through one lock (readwhilewriting's writer included); {@code sync()} forces
 * its LSM tree's log and checkpoints its B+tree. {@code where} and {@code tiers} speak to it;
 * {@code move} does not (it moves keys only on its own thresholds).
 */
final class SimpleHybridHandle extends Engine.Handle implements RoutedHandle {

    private final SimpleHybridStore simple;
    private final Storage storage;
    private final Path dir;

    private SimpleHybridHandle(EngineFactory engine, SimpleHybridStore simple, Storage storage, Path dir) {
        super(engine, new Locked(simple));
        this.simple = simple;
        this.storage = storage;
        this.dir = dir;
    }

    /** Opens the store in {@code dir} with the episode's numbers ({@link SimpleHybridStore.Knobs#defaults()}), on real time. */
    static SimpleHybridHandle open(EngineFactory engine, Path dir) throws IOException {
        DiskStorage storage = DiskStorage.open(dir);
        try {
            return new SimpleHybridHandle(engine, SimpleHybridStore.open(storage, Ticker.systemTicker()), storage, dir);
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    @Override
    public Map<String, Long> counts() {
        HybridStats s;
        synchronized (simple) {
            s = simple.stats();
        }
        Map<String, Long> c = new LinkedHashMap<>();
        c.put(Counters.USER_BYTES_WRITTEN, s.userBytesWritten());
        c.put(Counters.DISK_BYTES_WRITTEN, s.deviceBytesWritten());
        c.put(Counters.MIGRATIONS, s.migrations());
        c.put(Counters.CACHE_HITS, s.cacheHits());
        c.put(Counters.CACHE_MISSES, s.cacheMisses());
        return c;
    }

    @Override
    public Map<String, Object> gauges() throws IOException {
        HybridStats s;
        synchronized (simple) {
            s = simple.stats();
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put(Counters.HOT_KEYS, s.hotKeys());
        g.put(Counters.DUPLICATE_KEYS, s.duplicateKeys());
        g.put(Counters.TRACKER_BYTES, s.trackerBytes());
        g.put(Counters.CACHE_ENTRIES, s.cacheEntries());
        g.put(Counters.HOT_BYTES, s.hotBytes());
        g.put(Counters.COLD_BYTES, s.coldBytes());
        g.put(Counters.WRITE_AMPLIFICATION_SINCE_OPEN, s.writeAmplification());
        g.put(Counters.CACHE_HIT_RATE_SINCE_OPEN, s.cacheHitRate());
        g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
        return g;
    }

    @Override
    public String dump(boolean dot) {
        if (dot) {
            throw new UnsupportedOperationException(engine().id() + " has no DOT dump (try tiers)");
        }
        synchronized (simple) {
            return simple + "\n" + tiers() + "\n";
        }
    }

    @Override
    public String where(Bytes key) throws IOException {
        synchronized (simple) {
            return key + ": " + simple.where(key) + " (routed " + simple.placement(key)
                    + "; the simple engine keeps per-key"
                    + " counters and moves a key past 100 writes or 1000 reads an hour)";
        }
    }

    @Override
    public String tiers() {
        HybridStats s;
        synchronized (simple) {
            s = simple.stats();
        }
        return String.format(
                Locale.ROOT,
                """
                        cache    %,d entries (LRU), hit rate %s (%,d hits, %,d misses)
                        hot      %,d keys in the B+tree, %,d bytes
                        cold     %,d bytes in the LSM tree
                        both     %,d keys left in both engines by a failed move
                        moves    %,d done, inline (no queue, no budget)
                        tracker  %,d bytes (a counter per key ever seen)
                        write amplification %s since opened (%,d bytes written for %,d user bytes)""",
                s.cacheEntries(),
                Counters.format(s.cacheHits() + s.cacheMisses() == 0 ? Double.NaN : s.cacheHitRate()),
                s.cacheHits(),
                s.cacheMisses(),
                s.hotKeys(),
                s.hotBytes(),
                s.coldBytes(),
                s.duplicateKeys(),
                s.migrations(),
                s.trackerBytes(),
                Counters.format(s.userBytesWritten() == 0 ? Double.NaN : s.writeAmplification()),
                s.deviceBytesWritten(),
                s.userBytesWritten());
    }

    @Override
    public String move(Bytes key, String target) {
        throw new UnsupportedOperationException(
                engine().id() + " moves keys only on its own thresholds; move works on hybrid");
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            storage.close();
        }
    }

    /** The store behind one lock: it is not thread-safe. Scans are read whole under the lock. */
    private static final class Locked extends ForwardingOrderedStore {
        private final SimpleHybridStore store;

        Locked(SimpleHybridStore store) {
            super(store);
            this.store = store;
        }

        @Override
        public Optional<Bytes> get(Bytes key) throws IOException {
            synchronized (store) {
                return store.get(key);
            }
        }

        @Override
        public void put(Bytes key, Bytes value) throws IOException {
            synchronized (store) {
                store.put(key, value);
            }
        }

        @Override
        public void delete(Bytes key) throws IOException {
            synchronized (store) {
                store.delete(key);
            }
        }

        @Override
        public void write(List<Entry> ops) throws IOException {
            synchronized (store) {
                store.write(ops);
            }
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            synchronized (store) {
                return new LockedIterator(store, store.scan(from, to));
            }
        }

        @Override
        public EntryIterator scanReverse(Bytes from, Bytes to) {
            synchronized (store) {
                return new LockedIterator(store, store.scanReverse(from, to));
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (store) {
                store.sync();
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (store) {
                store.close();
            }
        }
    }

    /** An iterator whose every step holds the store's lock. */
    private record LockedIterator(Object lock, EntryIterator it) implements EntryIterator {
        @Override
        public boolean hasNext() {
            synchronized (lock) {
                return it.hasNext();
            }
        }

        @Override
        public Entry next() {
            synchronized (lock) {
                return it.next();
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                it.close();
            }
        }
    }
}
