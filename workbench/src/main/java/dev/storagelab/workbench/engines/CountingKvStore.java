package dev.storagelab.workbench.engines;

import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.mvcc.ForwardingTransaction;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link KvStore} as the workbench drives it, counting {@link Counters#USER_BYTES_WRITTEN} the
 * way {@code StoreMetrics} does for the other engines: key and value bytes of each put, key bytes
 * of each delete. The store's engine counts bytes too, but its own: versioned keys and encoded
 * values ({@link Counters#ENGINE_BYTES_WRITTEN}). A transaction's writes count once it commits;
 * an aborted transaction's never.
 */
final class CountingKvStore extends ForwardingOrderedStore implements TransactionalStore {

    private final KvStore store;
    private final LongAdder userBytes = new LongAdder();

    CountingKvStore(KvStore store) {
        super(store);
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
    public void put(Bytes key, Bytes value) throws IOException {
        super.put(key, value);
        userBytes.add(key.length() + value.length());
    }

    @Override
    public void delete(Bytes key) throws IOException {
        super.delete(key);
        userBytes.add(key.length());
    }

    @Override
    public void write(List<Entry> ops) throws IOException {
        super.write(ops);
        long n = 0;
        for (Entry e : ops) {
            n += bytes(e);
        }
        userBytes.add(n);
    }

    @Override
    public Transaction begin() throws IOException {
        return new ForwardingTransaction(store.begin()) {
            private long written;

            @Override
            public void put(Bytes key, Bytes value) throws IOException {
                super.put(key, value);
                written += key.length() + value.length();
            }

            @Override
            public void delete(Bytes key) throws IOException {
                super.delete(key);
                written += key.length();
            }

            @Override
            public long commit() throws IOException {
                long ts = super.commit();
                userBytes.add(written);
                return ts;
            }
        };
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
