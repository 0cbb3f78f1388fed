package dev.storagelab.btree.bench;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BufferPool;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * What in-place updates cost: {@code updates} overwrites of existing keys (each a new 100-byte
 * value) on a B+tree of {@code n} keys built by random puts, with a checkpoint after every
 * {@code checkpointEvery} of them, measured as the tree's write amplification: bytes written to
 * its file (pages written back by evictions and checkpoints, page-table chunks, meta pages) per
 * key and value byte written by the user ({@link StoreMetrics.Snapshot#writeAmplification()}).
 *
 * <p>The keys overwritten are drawn uniformly or from the scrambled Zipf distribution of
 * {@link BufferPoolExperiment} (exponent 0.99). The pool is either the default 1,024 frames (4 MiB;
 * most updates evict a dirty leaf, so each costs a page write whatever the checkpoints do) or
 * large enough to hold the whole tree (only checkpoints write, and a leaf updated many times
 * between two checkpoints is written once).
 *
 * <p>For comparison, the same overwrites on the lab-01 {@link SortedLogStore} with its defaults,
 * starting from the same keys in one segment: it writes a log record per update, then each entry
 * again at its flush and at every compaction that merges it.
 *
 * <p>Each configuration starts from a fresh copy of the same files. Counts, not times: they repeat
 * exactly on any machine.
 */
final class WriteAmplificationExperiment {

    private WriteAmplificationExperiment() {}

    /**
     * One store, workload, pool and checkpoint interval, over the measured updates.
     *
     * @param poolFrames      the B+tree's pool; 0 for the sorted store
     * @param checkpointEvery updates between two checkpoints; 0 for the sorted store
     * @param pageWrites      pages the pool wrote back; 0 for the sorted store
     * @param pageWritesPerUpdate {@code pageWrites / updates}; null for the sorted store
     */
    record Row(
            String store,
            String workload,
            int poolFrames,
            int checkpointEvery,
            long updates,
            long checkpoints,
            long userBytesWritten,
            long diskBytesWritten,
            long pageWrites,
            double writeAmplification,
            Double pageWritesPerUpdate) {}

    /**
     * Measures the B+tree in {@code treeDir} (built by {@link Dataset#buildTree}) with every workload,
     * pool size and checkpoint interval, and the sorted store in {@code sortedLogDir} (built by
     * {@link Dataset#buildSortedLog} with one segment) with every workload; copies go under {@code work}.
     */
    static List<Row> run(
            Dataset data,
            Path treeDir,
            Path sortedLogDir,
            Path work,
            int updates,
            int[] poolSizes,
            int[] checkpointIntervals)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String workload : List.of("uniform", "zipfian")) {
            for (int frames : poolSizes) {
                for (int every : checkpointIntervals) {
                    Row row = measureTree(data, treeDir, work, workload, frames, every, updates);
                    System.err.printf(
                            "[write amplification] BPlusTree %-8s %6d frames, checkpoint every %,9d: %.2f"
                                    + " (%.3f page writes per update)%n",
                            workload, frames, every, row.writeAmplification(), row.pageWritesPerUpdate());
                    rows.add(row);
                }
            }
            Row row = measureSortedLog(data, sortedLogDir, work, workload, updates);
            System.err.printf("[write amplification] SortedLogStore %-8s: %.2f%n", workload, row.writeAmplification());
            rows.add(row);
        }
        return rows;
    }

    static Row measureTree(
            Dataset data, Path treeDir, Path work, String workload, int frames, int checkpointEvery, int updates)
            throws IOException {
        Path dir = copy(treeDir, work.resolve("wa-tree"));
        try (BPlusTree tree = Dataset.openTree(dir, frames)) {
            StoreMetrics.Snapshot m0 = tree.metrics();
            BufferPool.PoolStats p0 = tree.poolStats();
            long checkpoints = overwrite(data, tree, workload, updates, checkpointEvery, tree::checkpoint);
            StoreMetrics.Snapshot m1 = tree.metrics();
            long pageWrites = tree.poolStats().pageWrites() - p0.pageWrites();
            long user = m1.userBytesWritten() - m0.userBytesWritten();
            long disk = m1.diskBytesWritten() - m0.diskBytesWritten();
            return new Row(
                    "BPlusTree",
                    workload,
                    frames,
                    checkpointEvery,
                    updates,
                    checkpoints,
                    user,
                    disk,
                    pageWrites,
                    (double) disk / user,
                    (double) pageWrites / updates);
        } finally {
            BenchData.delete(dir);
        }
    }

    static Row measureSortedLog(Dataset data, Path sortedLogDir, Path work, String workload, int updates)
            throws IOException {
        Path dir = copy(sortedLogDir, work.resolve("wa-sortedlog"));
        StoreMetrics.Snapshot m;
        try (SortedLogStore store = Dataset.openSortedLog(dir)) {
            overwrite(data, store, workload, updates, updates, store::sync);
            store.close(); // waits for the flushes and compactions the updates started
            m = store.metrics().snapshot();
        } finally {
            BenchData.delete(dir);
        }
        return new Row(
                "SortedLogStore",
                workload,
                0,
                0,
                updates,
                0,
                m.userBytesWritten(),
                m.diskBytesWritten(),
                0,
                m.writeAmplification(),
                null);
    }

    /** What to do every {@code checkpointEvery} updates. */
    @FunctionalInterface
    private interface Checkpoint {
        void take() throws IOException;
    }

    /**
     * Overwrites {@code updates} keys drawn from {@code workload}, each with the value of the next key
     * (so every value changes), taking a checkpoint after every {@code checkpointEvery}; checks the
     * last key written reads back. Returns the checkpoints taken.
     */
    private static long overwrite(
            Dataset data, KeyValueStore store, String workload, int updates, int checkpointEvery, Checkpoint checkpoint)
            throws IOException {
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(BenchData.SEED + 6);
        IntSupplier nextKey;
        switch (workload) {
            case "uniform" -> nextKey = () -> random.nextInt(data.n);
            case "zipfian" -> {
                var zipf = RejectionInversionZipfSampler.of(random, data.n, BufferPoolExperiment.THETA);
                int[] scrambled = BenchData.shuffled(data.n, BenchData.SEED + 3);
                nextKey = () -> scrambled[zipf.sample() - 1];
            }
            default ->
                throw new IllegalArgumentException("unknown workload " + workload + "; expected uniform or zipfian");
        }
        long checkpoints = 0;
        int last = -1;
        for (int u = 1; u <= updates; u++) {
            last = nextKey.getAsInt();
            store.put(data.keys[last], data.values[(last + 1) % data.n]);
            if (u % checkpointEvery == 0) {
                checkpoint.take();
                checkpoints++;
            }
        }
        if (last >= 0) {
            Optional<Bytes> found = store.get(data.keys[last]);
            Bytes expected = data.values[(last + 1) % data.n];
            if (found.isEmpty() || !found.get().equals(expected)) {
                throw new IllegalStateException(store + ": get(" + data.keys[last] + ") after overwriting it returned "
                        + found + "; expected the new value");
            }
        }
        return checkpoints;
    }

    /** Copies the files of directory {@code from} (no subdirectories) into a fresh directory {@code to}. */
    private static Path copy(Path from, Path to) throws IOException {
        BenchData.delete(to);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
