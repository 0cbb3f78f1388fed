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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB through rocksdbjni: the production LSM the workspace's engines are measured against.
 * Default options here; {@link RocksDbLsmOptionsEngine} sets them to lab-05's defaults.
 */
public class RocksDbEngine implements EngineFactory {

    @Override
    public String id() {
        return "rocksdb";
    }

    @Override
    public String description() {
        return "peer: RocksDB through rocksdbjni 9.10 (default options: 64 MiB memtable, leveled compaction, 8 MiB block cache)";
    }

    @Override
    public boolean onDisk() {
        return true;
    }

    /** The options beyond creating the database and counting: none here (RocksDB's defaults). */
    protected Options configure(Options options) {
        return options;
    }

    @Override
    public Engine.Handle open(Path dir) throws IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        Statistics stats = new Statistics();
        Options options = configure(new Options().setCreateIfMissing(true).setStatistics(stats));
        RocksDB db;
        try {
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("RocksDB could not open " + dir + ": " + e.getMessage(), e);
        }
        Store store = new Store(db, options, stats, new UserBytes(), new WriteOptions());
        return new Engine.Handle(this, store) {
            /** The tickers count from when the Statistics object was made: when the database was opened. */
            @Override
            public Map<String, Long> counts() {
                Map<String, Long> c = new LinkedHashMap<>();
                c.put(Counters.USER_BYTES_WRITTEN, store.written().sum());
                c.put(Counters.DISK_BYTES_WRITTEN, stats.getTickerCount(TickerType.WAL_FILE_BYTES)
                        + stats.getTickerCount(TickerType.FLUSH_WRITE_BYTES)
                        + stats.getTickerCount(TickerType.COMPACT_WRITE_BYTES));
                c.put(Counters.FORCES, stats.getTickerCount(TickerType.WAL_FILE_SYNCED));
                long misses = stats.getTickerCount(TickerType.BLOCK_CACHE_MISS);
                c.put(Counters.BLOCK_READS, misses); // every block cache miss reads the block from a table file
                c.put(Counters.CACHE_HITS, stats.getTickerCount(TickerType.BLOCK_CACHE_HIT));
                c.put(Counters.CACHE_MISSES, misses);
                return c;
            }

            @Override
            public Map<String, Object> gauges() throws IOException {
                Map<String, Object> g = new LinkedHashMap<>();
                try {
                    g.put(Counters.ESTIMATED_KEYS, db.getLongProperty("rocksdb.estimate-num-keys"));
                } catch (RocksDBException e) {
                    throw new IOException("RocksDB could not estimate its keys: " + e.getMessage(), e);
                }
                g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
                return g;
            }

            @Override
            public String dump(boolean dot) throws IOException {
                try {
                    return db.getProperty("rocksdb.levelstats") + "\n";
                } catch (RocksDBException e) {
                    throw new IOException(e);
                }
            }

            @Override
            public void flush() throws IOException {
                try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(f);
                } catch (RocksDBException e) {
                    throw new IOException(e);
                }
            }

            @Override
            public void compact() throws IOException {
                try {
                    db.compactRange();
                } catch (RocksDBException e) {
                    throw new IOException(e);
                }
            }
        };
    }

    /**
     * RocksDB as an ordered store: each write with {@code writes} (whether it syncs the log), a
     * list of writes as one write batch (one log record, one sync).
     */
    record Store(RocksDB db, Options options, Statistics stats, UserBytes written, WriteOptions writes) implements OrderedStore {

        @Override
        public Optional<Bytes> get(Bytes key) throws IOException {
            KeyValueStore.checkKey(key);
            try {
                byte[] v = db.get(key.toByteArray());
                return v == null ? Optional.empty() : Optional.of(Bytes.wrap(v));
            } catch (RocksDBException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void put(Bytes key, Bytes value) throws IOException {
            KeyValueStore.checkKey(key);
            KeyValueStore.checkValue(value);
            try {
                db.put(writes, key.toByteArray(), value.toByteArray());
            } catch (RocksDBException e) {
                throw new IOException(e);
            }
            written.put(key, value);
        }

        @Override
        public void delete(Bytes key) throws IOException {
            KeyValueStore.checkKey(key);
            try {
                db.delete(writes, key.toByteArray());
            } catch (RocksDBException e) {
                throw new IOException(e);
            }
            written.delete(key);
        }

        @Override
        public void write(List<Entry> ops) throws IOException {
            try (WriteBatch batch = new WriteBatch()) {
                for (Entry e : ops) {
                    KeyValueStore.checkKey(e.key());
                    if (e.isTombstone()) {
                        batch.delete(e.key().toByteArray());
                    } else {
                        KeyValueStore.checkValue(e.value());
                        batch.put(e.key().toByteArray(), e.value().toByteArray());
                    }
                }
                db.write(writes, batch);
            } catch (RocksDBException e) {
                throw new IOException(e);
            }
            for (Entry e : ops) {
                if (e.isTombstone()) {
                    written.delete(e.key());
                } else {
                    written.put(e.key(), e.value());
                }
            }
        }

        @Override
        public void sync() throws IOException {
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                throw new IOException(e);
            }
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            return scan(from, to, false);
        }

        @Override
        public EntryIterator scanReverse(Bytes from, Bytes to) {
            return scan(from, to, true);
        }

        private EntryIterator scan(Bytes from, Bytes to, boolean descending) {
            RocksIterator it = db.newIterator();
            return new PeerScan(from, to, descending) {
                @Override
                void seek(byte[] key) {
                    if (key == null) {
                        it.seekToFirst();
                    } else {
                        it.seek(key);
                    }
                }

                @Override
                void seekForPrev(byte[] key) {
                    if (key == null) {
                        it.seekToLast();
                    } else {
                        it.seekForPrev(key);
                    }
                }

                @Override
                boolean valid() {
                    return it.isValid();
                }

                @Override
                byte[] key() {
                    return it.key();
                }

                @Override
                byte[] value() {
                    return it.value();
                }

                @Override
                void step(boolean backward) {
                    if (backward) {
                        it.prev();
                    } else {
                        it.next();
                    }
                }

                @Override
                void release() {
                    it.close();
                }
            };
        }

        @Override
        public void close() {
            db.close();
            writes.close();
            options.close();
            stats.close();
        }
    }
}
