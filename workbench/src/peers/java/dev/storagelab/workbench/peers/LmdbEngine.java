package dev.storagelab.workbench.peers;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.workbench.Counters;
import dev.storagelab.workbench.Engine;
import dev.storagelab.workbench.EngineFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * LMDB through lmdbjava: a copy-on-write B+tree in one memory-mapped file, the design lab-04's
 * checkpoints borrow (a changed page goes to a free page, and a meta page switches roots). Each put
 * is one write transaction committed without a force ({@code MDB_NOSYNC}), and {@code sync()} forces
 * the file: durable on sync, as the other engines are. LMDB has no cache of its own to size: a read
 * follows pointers into the mapped file, whose pages are the operating system's page cache, so it
 * reads a cached page with no copy into a frame, no checksum and no pin. Keys are ordered by
 * {@code memcmp}, the workspace's unsigned order.
 */
public final class LmdbEngine implements EngineFactory {

    /** The map's size: the file's largest size (reserved address space; the file grows as pages are written). */
    static final long MAP_BYTES = 64L << 30;

    @Override
    public String id() {
        return "lmdb";
    }

    @Override
    public String description() {
        return "peer: LMDB through lmdbjava 0.9 (copy-on-write B+tree in a memory-mapped file; a transaction per put,"
                + " forced on sync; its cache is the OS page cache)";
    }

    @Override
    public boolean onDisk() {
        return true;
    }

    @Override
    public Engine.Handle open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Env<byte[]> env;
        try {
            env = Env.create(ByteArrayProxy.PROXY_BA)
                    .setMapSize(MAP_BYTES)
                    .setMaxDbs(1)
                    .open(dir.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOTLS);
        } catch (LmdbException | UnsatisfiedLinkError e) {
            throw new IOException("LMDB could not open its store in " + dir + ": " + e.getMessage(), e);
        }
        Dbi<byte[]> db = env.openDbi("kv", DbiFlags.MDB_CREATE);
        Queue<Txn<byte[]>> idle = new ConcurrentLinkedQueue<>();
        Store store = new Store(env, db, new UserBytes(), idle, ThreadLocal.withInitial(() -> idleReader(env, idle)));
        return new Engine.Handle(this, store) {
            @Override
            public Map<String, Long> counts() {
                Map<String, Long> c = new LinkedHashMap<>();
                c.put(Counters.USER_BYTES_WRITTEN, store.written().sum());
                return c;
            }

            @Override
            public Map<String, Object> gauges() throws IOException {
                Map<String, Object> g = new LinkedHashMap<>();
                try (Txn<byte[]> txn = env.txnRead()) {
                    g.put(Counters.KEYS, db.stat(txn).entries);
                }
                g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
                return g;
            }

            @Override
            public String dump(boolean dot) {
                try (Txn<byte[]> txn = env.txnRead()) {
                    var s = db.stat(txn);
                    return s.entries + " keys; depth " + s.depth + ", " + s.leafPages + " leaf pages, " + s.branchPages
                            + " branch pages\n";
                }
            }
        };
    }

    /** A read transaction, reset: {@link Store#get} renews it for each get (LMDB's way to read often without a new one each time). */
    private static Txn<byte[]> idleReader(Env<byte[]> env, Queue<Txn<byte[]>> all) {
        Txn<byte[]> txn = env.txnRead();
        txn.reset();
        all.add(txn);
        return txn;
    }

    private record Store(
            Env<byte[]> env, Dbi<byte[]> db, UserBytes written, Queue<Txn<byte[]>> idle, ThreadLocal<Txn<byte[]>> readers)
            implements OrderedStore {

        @Override
        public Optional<Bytes> get(Bytes key) {
            KeyValueStore.checkKey(key);
            Txn<byte[]> txn = readers.get();
            txn.renew();
            try {
                byte[] v = db.get(txn, key.toByteArray());
                return v == null ? Optional.empty() : Optional.of(Bytes.wrap(v));
            } finally {
                txn.reset();
            }
        }

        @Override
        public void put(Bytes key, Bytes value) {
            write(List.of(Entry.put(key, value)));
        }

        @Override
        public void delete(Bytes key) {
            write(List.of(Entry.tombstone(key)));
        }

        /** The whole list in one write transaction: one commit. */
        @Override
        public void write(List<Entry> ops) {
            for (Entry e : ops) {
                KeyValueStore.checkKey(e.key());
                if (!e.isTombstone()) {
                    KeyValueStore.checkValue(e.value());
                }
            }
            try (Txn<byte[]> txn = env.txnWrite()) {
                for (Entry e : ops) {
                    if (e.isTombstone()) {
                        db.delete(txn, e.key().toByteArray());
                    } else {
                        db.put(txn, e.key().toByteArray(), e.value().toByteArray());
                    }
                }
                txn.commit();
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
        public void sync() {
            env.sync(true);
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            return scan(from, to, false);
        }

        @Override
        public EntryIterator scanReverse(Bytes from, Bytes to) {
            return scan(from, to, true);
        }

        /** A scan reads one snapshot: its own read transaction, held until the scan is closed. */
        private EntryIterator scan(Bytes from, Bytes to, boolean descending) {
            Txn<byte[]> txn = env.txnRead();
            Cursor<byte[]> cursor = db.openCursor(txn);
            return new PeerScan(from, to, descending) {
                private boolean valid;

                @Override
                void seek(byte[] key) {
                    valid = key == null ? cursor.first() : cursor.get(key, GetOp.MDB_SET_RANGE);
                }

                @Override
                void seekForPrev(byte[] key) {
                    if (key == null) {
                        valid = cursor.last();
                    } else if (!cursor.get(key, GetOp.MDB_SET_RANGE)) {
                        valid = cursor.last(); // every key is below it
                    } else {
                        valid = ByteArrayProxy.compareArrays(cursor.key(), key) <= 0 || cursor.prev();
                    }
                }

                @Override
                boolean valid() {
                    return valid;
                }

                @Override
                byte[] key() {
                    return cursor.key();
                }

                @Override
                byte[] value() {
                    return cursor.val();
                }

                @Override
                void step(boolean backward) {
                    valid = backward ? cursor.prev() : cursor.next();
                }

                @Override
                void release() {
                    cursor.close();
                    txn.close();
                }
            };
        }

        @Override
        public void close() {
            idle.forEach(Txn::close); // every thread's reader, reset (MDB_NOTLS: any thread may end it)
            env.close();
        }
    }
}
