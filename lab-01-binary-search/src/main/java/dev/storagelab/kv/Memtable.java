package dev.storagelab.kv;

/**
 * The sorted in-memory buffer that absorbs writes before they are flushed to a sorted file.
 * lab-01 runs on {@link ConcurrentSkipListMemtable}; lab-03 plugs in its own skip list and balanced
 * tree through this interface, and lab-05 builds its LSM on it.
 *
 * <p>Concurrency contract: one writer at a time (the store serialises writers), and any number
 * of readers concurrently with it, without locks on the read path. A reader sees each entry
 * either before or after a write, never half-written.
 *
 * <p>Lifecycle: writable, then {@link #freeze() frozen} when the store rotates it for a flush.
 * A frozen memtable rejects writes and is read by readers and the flush until it is dropped.
 */
public interface Memtable {

    /** Records {@code entry} (a value or a tombstone), replacing any earlier entry for its key. */
    void apply(Entry entry);

    /**
     * The entry for {@code key}: a value, a tombstone (the key was deleted here), or null (this
     * memtable knows nothing of the key, so older data must be consulted).
     */
    Entry get(Bytes key);

    /** Entries with keys ≥ {@code from} in increasing key order, tombstones included; null means from the first key. */
    EntryIterator iterator(Bytes from);

    /** All entries in increasing key order, tombstones included. */
    default EntryIterator iterator() {
        return iterator(null);
    }

    /**
     * Entries with keys ≤ {@code from} in decreasing key order, tombstones included; null means
     * from the last key. Reverse scans (lab-02) need it.
     */
    EntryIterator descendingIterator(Bytes from);

    /** The number of distinct keys held, tombstones included. */
    int size();

    /** Approximate bytes held: the sum of {@link Entry#approximateBytes()} of the live entries. */
    long approximateBytes();

    /**
     * Makes this memtable immutable: waits for a write in progress, and every write after it
     * returns throws {@link IllegalStateException}, so a flush that starts after {@code freeze()}
     * sees everything the memtable will ever hold.
     */
    void freeze();

    /** Whether {@link #freeze()} has been called. */
    boolean isFrozen();
}
