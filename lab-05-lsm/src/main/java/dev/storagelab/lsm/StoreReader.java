package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.util.Optional;

/**
 * The store's read path (LevelDB's {@code DBImpl::Get} and {@code NewIterator}): a get or a scan
 * takes no lock. It takes a reference to the store's current {@link SuperVersion} (the memtables
 * and the version of one moment), reads at a sequence number, and lets go; the tables that version
 * names are deleted only after every reader has let go. A get asks the sources newest first
 * ({@code lookup}); a scan merges them ({@link StoreIterators}).
 */
final class StoreReader {

    /**
     * A read "at the latest write" takes its {@link SuperVersion} first and reads {@code lastSequence}
     * after: the other order lets a compaction that starts in between drop the versions the read's
     * sequence number needs (its oldest-snapshot bound is the newer {@code lastSequence}), and install
     * before the read takes its version; the key would read as absent. LevelDB does both under its
     * mutex.
     */
    static final long LATEST = -1;

    private final LsmStore store;
    private final TableCache tables;
    private final StoreMetrics metrics;

    StoreReader(LsmStore store) {
        this.store = store;
        this.tables = store.tables;
        this.metrics = store.metrics;
    }

    /** The value of {@code key} as of {@code sequence}, or at the newest write for {@link #LATEST}. */
    Optional<Bytes> get(Bytes key, long sequence) throws IOException {
        KeyValueStore.checkKey(key);
        long start = StoreMetrics.startTimer(); // one get in 16 reads the clock
        SuperVersion s = store.acquire();
        try {
            Optional<Bytes> found =
                    lookup(s, new LookupKey(key, sequence == LATEST ? store.writer.lastSequence : sequence));
            metrics.recordGetSince(found.isPresent(), start);
            return found;
        } finally {
            store.release(s);
        }
    }

    /**
     * The newest version of {@code key} at or before {@code sequence}, looking from the newest
     * source to the oldest and stopping at the first that knows the key (a value or a deletion):
     * the memtables newest first ({@link SuperVersion#memtables}: the active one, then the frozen ones
     * waiting for their flush), the level-0 tables newest first (they may overlap), then
     * in each level from 1 down the one table whose key range holds the key, if any. Every source
     * is asked with the one {@link LookupKey}, its seek key encoded and its hash taken once.
     */
    private Optional<Bytes> lookup(SuperVersion s, LookupKey key) throws IOException {
        // BEGIN SOLUTION lab-05 T7
        for (MemTable m : s.memtables()) {
            MemTable.Lookup r = m.get(key);
            if (r.found() != MemTable.Found.ABSENT) {
                return r.found() == MemTable.Found.VALUE ? Optional.of(r.value()) : Optional.empty();
            }
        }
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : s.version.filesFor(level, key.userKey())) {
                Table.Lookup r = tables.table(f).get(key);
                switch (r.state()) {
                    case PUT:
                        return Optional.of(r.value());
                    case DELETED:
                        return Optional.empty();
                    default:
                        break;
                }
            }
        }
        return Optional.empty();
        // END SOLUTION
    }

    /** Keys in {@code [from, to)} in increasing order, as of {@code snapshot} or at the newest write for {@link #LATEST}. */
    EntryIterator scan(Bytes from, Bytes to, long snapshot) {
        SuperVersion s = store.acquire();
        long sequence = snapshot == LATEST ? store.writer.lastSequence : snapshot; // after acquire: see LATEST
        return StoreIterators.forward(s, sequence, from, to, tables, () -> store.release(s));
    }

    /** Keys in {@code [from, to)} from the largest down, at the newest write ({@link StoreIterators#reverse}). */
    EntryIterator scanReverse(Bytes from, Bytes to) {
        SuperVersion s = store.acquire();
        long sequence = store.writer.lastSequence; // after acquire: see LATEST
        return StoreIterators.reverse(s, sequence, from, to, tables, () -> store.release(s));
    }
}
