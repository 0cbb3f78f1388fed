package dev.storagelab.mvcc;

import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A snapshot-isolation transaction of a {@link TransactionManager}: it reads the {@link MvccStore} at
 * its start timestamp, keeps its writes in a sorted write set (the last write to a key wins; a
 * delete is a tombstone entry), reads its own writes before the snapshot, and hands the write set
 * to the manager at commit. Under serializable isolation it also records what it read.
 */
final class SnapshotTransaction implements Transaction {

    private final TransactionManager manager;
    private final MvccStore store;
    private final long startTs;
    /** The buffered writes, by key; a tombstone entry is a delete. */
    private final TreeMap<Bytes, Entry> writes = new TreeMap<>();
    /** What this transaction read from its snapshot, under serializable isolation; null otherwise. */
    private final ReadSet reads;

    private State state = State.ACTIVE;

    SnapshotTransaction(TransactionManager manager, MvccStore store, long startTs, boolean recordReads) {
        this.manager = manager;
        this.store = store;
        this.startTs = startTs;
        this.reads = recordReads ? new ReadSet() : null;
    }

    @Override
    public long startTs() {
        return startTs;
    }

    @Override
    public State state() {
        return state;
    }

    private void checkActive() {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("transaction started at " + startTs + " is " + state);
        }
    }

    /**
     * The value of {@code key} as this transaction sees it: its own last write to the key if it wrote
     * it (a put's value, or empty after a delete), otherwise the value in the store's snapshot at
     * the start timestamp (recorded in the read set, if there is one).
     */
    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkActive();
        KeyValueStore.checkKey(key);
        // BEGIN SOLUTION lab-06 T5
        Entry own = writes.get(key);
        if (own != null) {
            return Optional.ofNullable(own.value());
        }
        if (reads != null) {
            reads.addKey(key);
        }
        return store.get(key, startTs);
        // END SOLUTION
    }

    @Override
    public void put(Bytes key, Bytes value) {
        checkActive();
        KeyValueStore.checkKey(key);
        KeyValueStore.checkValue(value);
        writes.put(key, Entry.put(key, value));
    }

    @Override
    public void delete(Bytes key) {
        checkActive();
        KeyValueStore.checkKey(key);
        writes.put(key, Entry.tombstone(key));
    }

    /**
     * The snapshot's live entries in {@code [from, to)} merged with this transaction's writes in the
     * range: lab-02's {@link MergingIterator} with the write set as the newer source (so a buffered
     * put replaces the snapshot's value and a buffered delete hides it), tombstones then left out.
     */
    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        checkActive();
        if (from != null && to != null && from.compareTo(to) > 0) {
            throw new IllegalArgumentException("scan range is reversed: from " + from + " > to " + to);
        }
        NavigableMap<Bytes, Entry> own = writes;
        if (from != null) {
            own = own.tailMap(from, true);
        }
        if (to != null) {
            own = own.headMap(to, false);
        }
        if (reads != null) {
            reads.addRange(from, to);
        }
        List<EntryIterator> sources = new ArrayList<>(2);
        sources.add(EntryIterator.of(new ArrayList<>(own.values()).iterator()));
        sources.add(store.scan(from, to, startTs));
        return EntryIterator.filter(new MergingIterator(sources, false), e -> !e.isTombstone());
    }

    /** The buffered writes, in key order: what the commit logs and applies. */
    List<Entry> writeSet() {
        return new ArrayList<>(writes.values());
    }

    /** What this transaction read, or null unless it runs serializable. */
    ReadSet readSet() {
        return reads;
    }

    @Override
    public long commit() throws IOException {
        checkActive();
        try {
            long ts = manager.commit(this);
            state = State.COMMITTED;
            return ts;
        } catch (IOException | RuntimeException | Error e) {
            state = State.ABORTED;
            throw e;
        } finally {
            writes.clear();
            manager.ended(this);
        }
    }

    @Override
    public void abort() {
        if (state == State.ACTIVE) {
            state = State.ABORTED;
            writes.clear();
            manager.aborted(this);
            manager.ended(this);
        }
    }

    @Override
    public void close() {
        abort();
    }

    @Override
    public String toString() {
        return "transaction@" + startTs + " " + state + " (" + writes.size() + " writes)";
    }
}
