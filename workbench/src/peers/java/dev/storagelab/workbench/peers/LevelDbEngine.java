package dev.storagelab.workbench.peers;

import static org.iq80.leveldb.impl.Iq80DBFactory.factory;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.workbench.Engine;
import dev.storagelab.workbench.EngineFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteOptions;

/**
 * The pure-Java port of LevelDB (org.iq80.leveldb): the same design as lab-01's store grown up, in
 * the same language. Its iterators only go forward, so reverse scans are refused.
 */
public final class LevelDbEngine implements EngineFactory {

    @Override
    public String id() {
        return "leveldb";
    }

    @Override
    public String description() {
        return "peer: LevelDB, the pure-Java port org.iq80.leveldb 0.12 (default options: 4 MiB memtable, 8 MiB block cache)";
    }

    @Override
    public boolean onDisk() {
        return true;
    }

    @Override
    public Engine.Handle open(Path dir) throws IOException {
        Files.createDirectories(dir);
        DB db = factory.open(dir.toFile(), new Options().createIfMissing(true));
        return new Engine.Handle(this, new Store(db)) {
            @Override
            public Map<String, Object> counters() throws IOException {
                Map<String, Object> c = new LinkedHashMap<>();
                try (Stream<Path> files = Files.list(dir)) {
                    c.put("bytes_on_disk", files.mapToLong(f -> f.toFile().length()).sum());
                }
                return c;
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

    private record Store(DB db) implements OrderedStore {

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
        }

        @Override
        public void delete(Bytes key) {
            KeyValueStore.checkKey(key);
            db.delete(key.toByteArray());
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
