package dev.storagelab.workbench.peers;

import static org.iq80.leveldb.impl.Iq80DBFactory.factory;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.EngineFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteOptions;

/**
 * The pure-Java port of LevelDB (org.iq80.leveldb): the same design as lab-01's store grown up, in
 * the same language. Its iterators only go forward, so reverse scans are refused. It has no block
 * cache (0.12 never reads {@code Options.cacheSize}): its tables are mapped ({@code mmap}), so the
 * page cache is its only cache.
 */
public final class LevelDbEngine implements EngineFactory {

    @Override
    public String id() {
        return "leveldb";
    }

    @Override
    public String description() {
        return "peer: LevelDB, the pure-Java port org.iq80.leveldb 0.12 (default options: 4 MiB memtable; no block cache,"
                + " its tables read through mmap and the page cache)";
    }

    @Override
    public boolean onDisk() {
        return true;
    }

    @Override
    public Engine.Handle open(Path dir) throws IOException {
        Files.createDirectories(dir);
        DB db = factory.open(dir.toFile(), new Options().createIfMissing(true));
        Store store = new Store(db, new UserBytes());
        return new Engine.Handle(this, store) {
            /** The iq80 port keeps no statistics: what its callers wrote is all there is to count. */
            @Override
            public Map<String, Long> counts() {
                return Map.of(Counters.USER_BYTES_WRITTEN, store.written().sum());
            }

            @Override
            public Map<String, Object> gauges() throws IOException {
                return Map.of(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
            }

            @Override
            public String dump(boolean dot) {
                return db.getProperty("leveldb.stats") + "\n";
            }

            @Override
            public void compact() {
                db.compactRange(null, null);
            }
        };
    }

    private record Store(DB db, UserBytes written) implements OrderedStore {

        private static final WriteOptions SYNC = new WriteOptions().sync(true);

        @Override
        public Optional<Bytes> get(Bytes key) {
            KeyValueStore.checkKey(key);
            byte[] v = db.get(key.toByteArray());
            return v == null ? Optional.empty() : Optional.of(Bytes.wrap(v));
        }

        @Override
        public void put(Bytes key, Bytes value) {
            KeyValueStore.checkKey(key);
            KeyValueStore.checkValue(value);
            db.put(key.toByteArray(), value.toByteArray());
            written.put(key, value);
        }

        @Override
        public void delete(Bytes key) {
            KeyValueStore.checkKey(key);
            db.delete(key.toByteArray());
            written.delete(key);
        }

        @Override
        public void sync() throws IOException {
            db.write(db.createWriteBatch(), SYNC); // an empty synced batch forces the log
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            DBIterator it = db.iterator();
            return new PeerScan(from, to, false) {
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
                    throw new UnsupportedOperationException("the iq80 LevelDB port cannot iterate backwards");
                }

                @Override
                boolean valid() {
                    return it.hasNext();
                }

                @Override
                byte[] key() {
                    return it.peekNext().getKey();
                }

                @Override
                byte[] value() {
                    return it.peekNext().getValue();
                }

                @Override
                void step(boolean backward) {
                    it.next();
                }

                @Override
                void release() {
                    try {
                        it.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
        }

        @Override
        public EntryIterator scanReverse(Bytes from, Bytes to) {
            throw new UnsupportedOperationException("the iq80 LevelDB port cannot iterate backwards");
        }

        @Override
        public void close() throws IOException {
            db.close();
        }
    }
}
