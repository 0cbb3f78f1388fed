package dev.storagelab.workbench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link KvStore} as the workbench drives it, counting {@link Counters#USER_BYTES_WRITTEN} the
 * way {@code StoreMetrics} does for the other engines: key and value bytes of each put, key bytes
 * of each delete. The store's engine counts bytes too, but its own: versioned keys and encoded
 * values ({@link Counters#ENGINE_BYTES_WRITTEN}). A transaction's writes count once it commits;
 * an aborted transaction's never.
 */
final class CountingKvStore implements OrderedStore, TransactionalStore {

    private final KvStore store;
    private final LongAdder userBytes = new LongAdder();

    CountingKvStore(KvStore store) {
        this.store = store;
    }

    /** The store underneath. */
    KvStore kvStore() {
        return store;
    }

    /** The user bytes written so far: puts and deletes, and the writes of committed transactions. */
    long userBytesWritten() {
        return userBytes.sum();
    }

    private static long bytes(Entry e) {
        return e.key().length() + (e.isTombstone() ? 0 : e.value().length());
    }

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        return store.get(key);
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        store.put(key, value);
        userBytes.add(key.length() + value.length());
    }

    @Override
    public void delete(Bytes key) throws IOException {
        store.delete(key);
        userBytes.add(key.length());
    }

    @Override
    public void write(List<Entry> ops) throws IOException {
        store.write(ops);
        long n = 0;
        for (Entry e : ops) {
            n += bytes(e);
        }
        userBytes.add(n);
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return store.scan(from, to);
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return store.scanReverse(from, to);
    }

    @Override
    public void sync() throws IOException {
        store.sync();
    }

    @Override
    public void close() throws IOException {
        store.close();
    }

    @Override
    public Transaction begin() throws IOException {
        Transaction t = store.begin();
        return new Transaction() {
            private long written;

            @Override
            public long startTs() {
                return t.startTs();
            }

            @Override
            public State state() {
                return t.state();
            }

            @Override
            public Optional<Bytes> get(Bytes key) throws IOException {
                return t.get(key);
            }

            @Override
            public void put(Bytes key, Bytes value) throws IOException {
                t.put(key, value);
                written += key.length() + value.length();
            }

            @Override
            public void delete(Bytes key) throws IOException {
                t.delete(key);
                written += key.length();
            }

            @Override
            public EntryIterator scan(Bytes from, Bytes to) throws IOException {
                return t.scan(from, to);
            }

            @Override
            public long commit() throws IOException {
                long ts = t.commit();
                userBytes.add(written);
                return ts;
            }

            @Override
            public void abort() {
                t.abort();
            }

            @Override
            public void close() {
                t.close();
            }

            @Override
            public String toString() {
                return t.toString();
            }
        };
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
