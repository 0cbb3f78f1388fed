package dev.storagelab.workbench.peers;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.EngineFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.SingleFileStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.cache.CacheLongKeyLIRS;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * H2's MVStore: a copy-on-write B-tree in one file, the storage engine under the H2 database; the
 * production peer of lab-04's B+tree. Keys are ordered unsigned, as the workspace's engines
 * order them ({@link UnsignedBytes}).
 */
public class H2MvStoreEngine implements EngineFactory {

    @Override
    public String id() {
        return "h2";
    }

    @Override
    public String description() {
        return "peer: H2 MVStore 2.3 (copy-on-write B-tree; commit on sync, or when 1 MiB of changed pages"
                + " waits; its default 16 MiB page cache, holding no evicted page behind a weak reference)";
    }

    /** The page cache's size in MiB: H2's default. */
    protected int cacheMegabytes() {
        return 16;
    }

    /**
     * How much of its pages a write may change, by H2's estimate of their memory, before MVStore
     * commits them on the writing thread (its write buffer, {@code autoCommitBufferSize}), in KiB:
     * 1 MiB beside the cache. MVStore's own default is scaled to the heap, 19 MiB under any heap of
     * 304 MiB or more: at 200,000 keys that holds every page a random fill changes, so the fill ran in
     * memory and wrote the store once, at the final commit, beside a B+tree whose changed pages share
     * its pool. A B+tree at the same memory has no such buffer.
     */
    protected int writeBufferKilobytes() {
        return 1024;
    }

    @Override
    public boolean onDisk() {
        return true;
    }

    @Override
    public Engine.Handle open(Path dir) throws IOException {
        Files.createDirectories(dir);
        CountingFileStore file = new CountingFileStore(cacheMegabytes());
        file.open(dir.resolve("store.mv.db").toString(), false, null);
        MVStore mv;
        try {
            mv = new MVStore.Builder()
                    .adoptFileStore(file)
                    .autoCommitDisabled()
                    .autoCommitBufferSize(writeBufferKilobytes())
                    .open();
        } catch (RuntimeException e) {
            file.close();
            throw new IOException("H2 could not open its store in " + dir + ": " + e.getMessage(), e);
        }
        MVMap<byte[], byte[]> map = mv.openMap("kv", new MVMap.Builder<byte[], byte[]>().keyType(UnsignedBytes.INSTANCE)
                .valueType(ByteArrayDataType.INSTANCE));
        Store store = new Store(mv, map, new UserBytes());
        return new Engine.Handle(this, store) {
            /** The file store's counts since it was opened, with the database. */
            @Override
            public Map<String, Long> counts() {
                Map<String, Long> c = new LinkedHashMap<>();
                c.put(Counters.USER_BYTES_WRITTEN, store.written().sum());
                c.put(Counters.DISK_BYTES_WRITTEN, file.bytesWritten());
                c.put(Counters.DISK_BYTES_READ, file.getReadBytes());
                c.put(Counters.DISK_READS, file.getReadCount());
                c.put(Counters.DISK_WRITES, file.getWriteCount());
                return c;
            }

            @Override
            public Map<String, Object> gauges() {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put(Counters.KEYS, map.sizeAsLong());
                g.put(Counters.BYTES_ON_DISK, file.size());
                return g;
            }

            @Override
            public String dump(boolean dot) {
                return map.size() + " keys; store version " + mv.getCurrentVersion() + "\n";
            }
        };
    }

    /**
     * H2's one-file store with the bytes it wrote in view (H2 counts them, but shows only its reads),
     * and a page cache that holds at most its size.
     *
     * <p>H2's page cache (a LIRS cache, {@link CacheLongKeyLIRS}) keeps each page it evicts behind a
     * weak reference, and a get that finds the page still in memory takes it back into the cache
     * without evicting another: only a miss evicts. So between two collections of the old
     * generation, which a JVM with room to spare hardly ever runs, the cache grows to every page
     * read: after 400,000 random gets of 200,000 keys, a cache of 16 MiB held 32.7 MiB of heap and a
     * cache of 4 MiB 19.1 MiB. Its non-resident queue, which holds those references, is set to hold
     * none here (the cache's two bounds on it, read when its segments are made, then the segments
     * made again): it then held 18.8 MiB with 16 MiB, where the B+tree's pool of 16 MiB holds 18
     * MiB. What the cache gives up is LIRS's memory of pages recently evicted.
     */
    static final class CountingFileStore extends SingleFileStore {
        CountingFileStore(int cacheMegabytes) {
            super(new HashMap<>(Map.of("cacheSize", cacheMegabytes))); // otherwise H2's defaults, as MVStore.Builder.fileName gives
            boundPageCache(this);
        }

        private static void boundPageCache(FileStore<?> store) {
            try {
                Field cacheField = FileStore.class.getDeclaredField("cache");
                cacheField.setAccessible(true);
                CacheLongKeyLIRS<?> cache = (CacheLongKeyLIRS<?>) cacheField.get(store);
                for (String bound : new String[] {"nonResidentQueueSize", "nonResidentQueueSizeHigh"}) {
                    Field f = CacheLongKeyLIRS.class.getDeclaredField(bound);
                    f.setAccessible(true);
                    f.setInt(cache, 0);
                }
                cache.clear(); // its segments are made again, with no non-resident queue
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException(
                        "cannot bound H2's page cache to its size (this peer is written for H2 2.3.232): " + e, e);
            }
        }

        long bytesWritten() {
            return writeBytes.get();
        }
    }

    /** byte[] keys compared unsigned, stored as H2 stores byte arrays. */
    static final class UnsignedBytes extends BasicDataType<byte[]> {
        static final UnsignedBytes INSTANCE = new UnsignedBytes();

        @Override
        public int compare(byte[] a, byte[] b) {
            return Arrays.compareUnsigned(a, b);
        }

        @Override
        public int getMemory(byte[] obj) {
            return ByteArrayDataType.INSTANCE.getMemory(obj);
        }

        @Override
        public void write(WriteBuffer buff, byte[] obj) {
            ByteArrayDataType.INSTANCE.write(buff, obj);
        }

        @Override
        public byte[] read(ByteBuffer buff) {
            return ByteArrayDataType.INSTANCE.read(buff);
        }

        @Override
        public byte[][] createStorage(int size) {
            return new byte[size][];
        }
    }

    private record Store(MVStore mv, MVMap<byte[], byte[]> map, UserBytes written) implements OrderedStore {

        @Override
        public Optional<Bytes> get(Bytes key) {
            KeyValueStore.checkKey(key);
            byte[] v = map.get(key.toByteArray());
            return v == null ? Optional.empty() : Optional.of(Bytes.wrap(v));
        }

        @Override
        public void put(Bytes key, Bytes value) {
            KeyValueStore.checkKey(key);
            KeyValueStore.checkValue(value);
            map.put(key.toByteArray(), value.toByteArray());
            written.put(key, value);
        }

        @Override
        public void delete(Bytes key) {
            KeyValueStore.checkKey(key);
            map.remove(key.toByteArray());
            written.delete(key);
        }

        @Override
        public void sync() {
            mv.commit();
            mv.sync();
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            checkRange(from, to);
            return iterate(map.cursor(from == null ? null : from.toByteArray(), null, false), to, false);
        }

        @Override
        public EntryIterator scanReverse(Bytes from, Bytes to) {
            checkRange(from, to);
            byte[] high = to == null ? map.lastKey() : map.lowerKey(to.toByteArray());
            if (high == null) {
                return EntryIterator.of(java.util.Collections.emptyIterator());
            }
            return iterate(map.cursor(high, null, true), from, true);
        }

        private static void checkRange(Bytes from, Bytes to) {
            if (from != null && to != null && from.compareTo(to) > 0) {
                throw new IllegalArgumentException("range start " + from + " is after its end " + to + "; a range is [from, to)");
            }
        }

        /** The cursor's entries while they are inside {@code bound} (exclusive end forward, inclusive start backward). */
        private static EntryIterator iterate(Cursor<byte[], byte[]> cursor, Bytes bound, boolean descending) {
            return EntryIterator.of(new Iterator<>() {
                private Entry next = advance();

                private Entry advance() {
                    if (!cursor.hasNext()) {
                        return null;
                    }
                    Bytes k = Bytes.wrap(cursor.next());
                    boolean inRange = bound == null || (descending ? k.compareTo(bound) >= 0 : k.compareTo(bound) < 0);
                    return inRange ? Entry.put(k, Bytes.wrap(cursor.getValue())) : null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Entry next() {
                    if (next == null) {
                        throw new java.util.NoSuchElementException();
                    }
                    Entry e = next;
                    next = advance();
                    return e;
                }
            });
        }

        @Override
        public void close() {
            mv.close();
        }
    }
}
