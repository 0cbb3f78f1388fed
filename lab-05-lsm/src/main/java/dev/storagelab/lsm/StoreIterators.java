package dev.storagelab.lsm;

import com.google.common.collect.AbstractIterator;
import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's scans (LevelDB's {@code db_iter}): the memtables and each level-0 table are sources
 * of their own (they overlap), but each deeper level is one source, a {@link LevelIterator} that
 * opens its tables one at a time as the scan reaches them. A forward scan's tables are
 * {@link LazyTableIterator}s: a table whose first entry lies at or after the scan's start is not
 * read until the scan takes that entry, so a short scan of one key range reads no block of the
 * tables of the ranges after it. A scan holds its {@code SuperVersion} until it is closed, so no
 * table it reads is deleted under it.
 */
final class StoreIterators {

    private StoreIterators() {}

    /**
     * The live keys in {@code [from, to)} of {@code s} as of {@code sequence}, smallest first: every
     * source merged in internal-key order, and each user key resolved at the snapshot by a
     * {@link SnapshotIterator}. Closing it (or a failure to build it) runs {@code release}.
     */
    static EntryIterator forward(
            SuperVersion s, long sequence, Bytes from, Bytes to, TableCache tables, Runnable release) {
        List<InternalIterator> sources = new ArrayList<>();
        try {
            for (MemTable m : s.memtables()) {
                sources.add(m.iterator());
            }
            for (FileMeta f : s.version.files(0)) {
                sources.add(new LazyTableIterator(f, file -> tables.table(file).cursor()));
            }
            for (int level = 1; level < Version.NUM_LEVELS; level++) {
                if (!s.version.files(level).isEmpty()) {
                    sources.add(new LevelIterator(
                            s.version.files(level),
                            f -> new LazyTableIterator(
                                    f, file -> tables.table(file).cursor())));
                }
            }
        } catch (RuntimeException e) {
            sources.forEach(InternalIterator::close);
            release.run();
            throw e;
        }
        // no table is opened here: the first hasNext seeks, and a failure then is the scan's
        return new SnapshotIterator(new MergingInternalIterator(sources), sequence, from, to, release);
    }

    /**
     * Keys in {@code [from, to)} from the largest down. Each source resolves its own versions at
     * the snapshot, and lab-02's newest-wins merge picks, for each key, the newest source's:
     * correct because every version of a key in a newer source is newer than every one in an
     * older source. Closing it (or a failure to build it) runs {@code release}.
     */
    static EntryIterator reverse(
            SuperVersion s, long sequence, Bytes from, Bytes to, TableCache tables, Runnable release) {
        List<EntryIterator> newestFirst = new ArrayList<>();
        try {
            for (MemTable m : s.memtables()) {
                newestFirst.add(SnapshotIterator.reverse(m.iterator(), sequence, from, to));
            }
            for (FileMeta f : s.version.files(0)) {
                newestFirst.add(SnapshotIterator.reverse(tables.table(f).cursor(), sequence, from, to));
            }
            for (int level = 1; level < Version.NUM_LEVELS; level++) {
                if (!s.version.files(level).isEmpty()) {
                    newestFirst.add(SnapshotIterator.reverse(
                            levelIterator(s.version.files(level), tables), sequence, from, to));
                }
            }
        } catch (IOException | RuntimeException e) {
            newestFirst.forEach(EntryIterator::close);
            release.run();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return new LiveEntries(new MergingIterator(newestFirst, true), release);
    }

    /**
     * A level below level 0 as one source of a scan: its tables opened one at a time, as the scan
     * reaches them (level 0's tables overlap, so each is a source of its own).
     */
    private static InternalIterator levelIterator(List<FileMeta> files, TableCache tables) {
        return new LevelIterator(files, f -> tables.table(f).cursor());
    }

    /** The merged entries less the deletions; closing it closes the merge, then runs {@code release}. */
    private static final class LiveEntries extends AbstractIterator<Entry> implements EntryIterator {
        private final MergingIterator merged;
        private final Runnable release;
        private boolean closed;

        LiveEntries(MergingIterator merged, Runnable release) {
            this.merged = merged;
            this.release = release;
        }

        @Override
        protected Entry computeNext() {
            while (!closed && merged.hasNext()) {
                Entry e = merged.next();
                if (!e.isTombstone()) {
                    return e;
                }
            }
            return endOfData();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    merged.close();
                } finally {
                    release.run();
                }
            }
        }
    }
}
