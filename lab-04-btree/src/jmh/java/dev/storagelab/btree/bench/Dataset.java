package dev.storagelab.btree.bench;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * The data lab-04's benchmarks and experiments store: {@code n} keys {@code key(0) .. key(n-1)} of
 * {@value BenchData#KEY_BYTES} bytes and a {@value BenchData#VALUE_BYTES}-byte random value for
 * each, drawn once from {@link BenchData#SEED}, and the ways of loading them into the two stores
 * compared. Key {@code i} always gets the same value, whatever order it is written in, so a read
 * can check it got the very bytes written for its key.
 */
final class Dataset {

    /**
     * The pool of a B+tree while a setup loads it: large enough to hold the whole tree, so loading
     * does no I/O until the checkpoint (65,536 frames, 256 MiB, hold a 1M-key tree even at 50%
     * leaf fill), and no larger, because a pool allocates all its frames up front.
     */
    int loadingPoolFrames() {
        return (int) Math.max(1024, Math.min(65_536, n / 8));
    }

    final int n;
    final Bytes[] keys;
    final Bytes[] values;

    Dataset(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a dataset needs at least one key: " + n);
        }
        this.n = n;
        keys = new Bytes[n];
        values = new Bytes[n];
        Random random = new Random(BenchData.SEED);
        for (int i = 0; i < n; i++) {
            keys[i] = Bytes.wrap(BenchData.keyBytes(i));
            values[i] = Bytes.wrap(BenchData.valueBytes(random));
        }
    }

    /** Key and value bytes of all {@code n} entries: what a store is asked to hold. */
    long userBytes() {
        return (long) n * (BenchData.KEY_BYTES + BenchData.VALUE_BYTES);
    }

    /** The key numbers in a seeded random order: {@code fillrandom}'s write order. */
    int[] randomOrder() {
        return BenchData.shuffled(n, BenchData.SEED);
    }

    /** The key numbers in increasing order: {@code fillseq}'s write order. */
    int[] sequentialOrder() {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** The entries in key order, for {@link BPlusTree#bulkLoad}. */
    Iterator<Entry> sortedEntries() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Entry next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                Entry e = Entry.put(keys[next], values[next]);
                next++;
                return e;
            }
        };
    }

    /** A B+tree with 4 KiB pages and a pool of {@code poolFrames} frames, on disk in {@code dir}. */
    static BPlusTree openTree(Path dir, int poolFrames) throws IOException {
        return openTree(DiskStorage.open(dir), poolFrames);
    }

    /** A B+tree with 4 KiB pages and a pool of {@code poolFrames} frames, on {@code files}. */
    static BPlusTree openTree(Storage files, int poolFrames) throws IOException {
        return BPlusTree.open(files, BTreeOptions.defaults().withPoolFrames(poolFrames));
    }

    /**
     * The lab-01 store with its defaults (4 MiB memtable, 4 KiB blocks, compaction at 8 segments),
     * on disk in {@code dir}.
     */
    static SortedLogStore openSortedLog(Path dir) throws IOException {
        return openSortedLog(DiskStorage.open(dir));
    }

    /** The lab-01 store with its defaults, on {@code files}. */
    static SortedLogStore openSortedLog(Storage files) throws IOException {
        return SortedLogStore.open(files);
    }

    /**
     * Builds the B+tree the read benchmarks and experiments use: every key put in random order (so
     * leaves end up about 69% full, as in a tree that grew by inserts) through a pool large enough
     * to hold the whole tree, then closed, which checkpoints it. Reopen it with the pool to measure.
     */
    void buildTree(Path dir) throws IOException {
        try (BPlusTree tree = openTree(dir, loadingPoolFrames())) {
            for (int i : randomOrder()) {
                tree.put(keys[i], values[i]);
            }
            if (tree.size() != n) {
                throw new IllegalStateException(
                        "put " + n + " distinct keys into a new B+tree, but it holds " + tree.size());
            }
        }
    }

    /**
     * Builds a lab-01 store holding every key in {@code segments} segments: the keys in random order
     * are cut into that many runs, each flushed as one segment (the memtable is large enough for
     * a run, and compaction is manual), so every segment spans the whole key range, as the runs of
     * an LSM tree between two compactions do. With {@code segments == 1} it is the store after a
     * full compaction.
     */
    void buildSortedLog(Path dir, int segments) throws IOException {
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(Math.max(1L << 20, 2 * (userBytes() + (long) n * 64) / segments))
                .compactionTrigger(0)
                .build();
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), options)) {
            int[] order = randomOrder();
            for (int s = 0; s < segments; s++) {
                for (int j = (int) ((long) n * s / segments); j < (long) n * (s + 1) / segments; j++) {
                    store.put(keys[order[j]], values[order[j]]);
                }
                store.flush();
            }
            if (store.segmentNames().size() != segments) {
                throw new IllegalStateException("loaded the lab-01 store in " + segments
                        + " flushes, but it has segments " + store.segmentNames());
            }
        }
    }
}
