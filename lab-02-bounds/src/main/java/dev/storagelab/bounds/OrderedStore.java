package dev.storagelab.bounds;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A store that also scans key ranges, in either direction: the shape every ordered engine in the
 * workspace shares, so that workloads, the shell and lab-07's router can drive any of them. The
 * lab-01 store gets it through {@link #of(SortedLogStore)} (its scans are this lab's
 * {@link RangeScan}); the lab-04 B+tree implements it directly.
 *
 * <p>Both scans return live entries only (no tombstones), over the half-open range
 * {@code [from, to)}; a null bound is open. Scans must be closed.
 */
public interface OrderedStore extends KeyValueStore {

    /**
     * The live entries with {@code from <= key < to}, in increasing key order.
     *
     * @param from the first key of the range, inclusive; null means from the first key
     * @param to   the end of the range, exclusive; null means to the last key
     * @throws IllegalArgumentException if {@code from > to}
     */
    EntryIterator scan(Bytes from, Bytes to);

    /** The same range as {@link #scan}, in decreasing key order. */
    EntryIterator scanReverse(Bytes from, Bytes to);

    /**
     * Applies {@code ops} in order: a put for each value, a delete for each tombstone. Atomic (after
     * a crash, all of them or none) only where an engine says so and overrides this: the lab-05
     * LSM tree (one write batch) and lab-06's stores under the write-ahead log (one log record). This
     * default applies them one by one.
     */
    default void write(List<Entry> ops) throws IOException {
        for (Entry e : ops) {
            if (e.isTombstone()) {
                delete(e.key());
            } else {
                put(e.key(), e.value());
            }
        }
    }

    /** The lab-01 store as an ordered store: its own reads and writes, and {@link RangeScan}'s scans. */
    static OrderedStore of(SortedLogStore store) {
        return new OrderedStore() {
            @Override
            public EntryIterator scan(Bytes from, Bytes to) {
                return RangeScan.scan(store, from, to);
            }

            @Override
            public EntryIterator scanReverse(Bytes from, Bytes to) {
                return RangeScan.scanReverse(store, from, to);
            }

            @Override
            public Optional<Bytes> get(Bytes key) throws IOException {
                return store.get(key);
            }

            @Override
            public void put(Bytes key, Bytes value) throws IOException {
                store.put(key, value);
            }

            @Override
            public void delete(Bytes key) throws IOException {
                store.delete(key);
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
            public String toString() {
                return "ordered " + store;
            }
        };
    }
}
