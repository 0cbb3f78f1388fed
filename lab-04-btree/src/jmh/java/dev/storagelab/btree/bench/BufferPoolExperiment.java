package dev.storagelab.btree.bench;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.Replacer;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The buffer pool's hit rate against its size, for LRU and LRU-2, on a B+tree of {@code n} keys
 * built by random puts (4 KiB pages), under three read workloads:
 * <ul>
 *   <li>{@code uniform}: gets of keys drawn uniformly: no locality but the tree's own (every get
 *       passes the root and one of a few hundred internal pages);</li>
 *   <li>{@code zipfian}: gets of keys drawn from a Zipf distribution with exponent
 *       {@value #THETA} (YCSB's default), by Commons RNG's {@link RejectionInversionZipfSampler};
 *       the ranks are <em>scrambled</em> through a seeded random permutation of the keys, so the
 *       hot keys are spread over the leaves instead of packed into the first few (YCSB's
 *       {@code ScrambledZipfianGenerator} hashes the rank for the same reason);</li>
 *   <li>{@code zipfian+scans}: the same gets, and after every {@value #GETS_PER_SCAN} of them a
 *       scan of {@value #SCAN_ENTRIES} consecutive entries from a uniformly drawn key: the
 *       scan-pollution case that LRU-K was designed for.</li>
 * </ul>
 * For each workload, replacer and pool size, the tree is reopened with an empty pool, warmed up
 * with {@code warmupGets} gets and measured over {@code measuredGets}: the hit rate and the misses
 * (page reads) per get count the gets' own page fetches only, not the scans'. Every get must
 * return the value stored for its key. The random streams are seeded, so both replacers see the
 * same requests and every run gives the same counts.
 */
final class BufferPoolExperiment {

    static final double THETA = 0.99;
    static final int GETS_PER_SCAN = 100;
    static final int SCAN_ENTRIES = 1000;
    static final List<String> WORKLOADS = List.of("uniform", "zipfian", "zipfian+scans");

    private BufferPoolExperiment() {}

    /** One workload, replacer and pool size: counts over the measured gets. */
    record Row(
            String workload,
            String replacer,
            int poolFrames,
            long gets,
            long hits,
            long misses,
            double hitRate,
            double missesPerGet,
            long scans) {}

    /**
     * Measures each of {@code workloads} with both replacers at each of {@code poolSizes}, on the
     * tree built in {@code treeDir} by {@link Dataset#buildTree}.
     */
    static List<Row> run(
            Dataset data, Path treeDir, List<String> workloads, int[] poolSizes, int warmupGets, int measuredGets)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String workload : workloads) {
            for (Replacer.Kind replacer : Replacer.Kind.values()) {
                for (int frames : poolSizes) {
                    Row row = measure(data, treeDir, workload, replacer, frames, warmupGets, measuredGets);
                    System.err.printf(
                            "[buffer pool] %-14s %-6s %6d frames: hit rate %.4f, %.3f misses per get%n",
                            workload, replacer, frames, row.hitRate(), row.missesPerGet());
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    static Row measure(
            Dataset data,
            Path treeDir,
            String workload,
            Replacer.Kind replacer,
            int frames,
            int warmupGets,
            int measuredGets)
            throws IOException {
        BTreeOptions options = BTreeOptions.defaults().withPoolFrames(frames).withReplacer(replacer);
        try (BPlusTree tree = BPlusTree.open(DiskStorage.open(treeDir), options)) {
            Requests requests = new Requests(data, workload);
            requests.run(tree, warmupGets);
            requests.hits = 0;
            requests.misses = 0;
            requests.scans = 0;
            requests.run(tree, measuredGets);
            long fetches = requests.hits + requests.misses;
            return new Row(
                    workload,
                    replacer.name(),
                    frames,
                    measuredGets,
                    requests.hits,
                    requests.misses,
                    (double) requests.hits / fetches,
                    (double) requests.misses / measuredGets,
                    requests.scans);
        }
    }

    /** The request stream of one workload, and the pool hits and misses of its gets. */
    private static final class Requests {
        private final Dataset data;
        private final boolean withScans;
        private final IntSupplier nextKey;
        private final UniformRandomProvider scanRandom = RandomSource.XO_RO_SHI_RO_128_PP.create(BenchData.SEED + 5);
        long hits;
        long misses;
        long scans;

        Requests(Dataset data, String workload) {
            this.data = data;
            UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(BenchData.SEED + 4);
            switch (workload) {
                case "uniform" -> {
                    nextKey = () -> random.nextInt(data.n);
                    this.withScans = false;
                }
                case "zipfian", "zipfian+scans" -> {
                    SharedStateDiscreteSampler zipf = RejectionInversionZipfSampler.of(random, data.n, THETA);
                    int[] scrambled = BenchData.shuffled(data.n, BenchData.SEED + 3);
                    nextKey = () -> scrambled[zipf.sample() - 1]; // ranks run from 1 to n
                    this.withScans = workload.equals("zipfian+scans");
                }
                default ->
                    throw new IllegalArgumentException(
                            "unknown workload " + workload + "; expected one of " + WORKLOADS);
            }
        }

        /** Makes {@code gets} gets (and the scans between them), counting the gets' hits and misses. */
        void run(BPlusTree tree, int gets) throws IOException {
            int done = 0;
            while (done < gets) {
                int batch = Math.min(GETS_PER_SCAN, gets - done);
                BufferPool.PoolStats before = tree.poolStats();
                for (int n = 0; n < batch; n++) {
                    int i = nextKey.getAsInt();
                    Optional<Bytes> found = tree.get(data.keys[i]);
                    if (found.isEmpty() || !found.get().equals(data.values[i])) {
                        throw new IllegalStateException(
                                "get(" + data.keys[i] + ") returned " + found + "; expected the value stored for it");
                    }
                }
                BufferPool.PoolStats after = tree.poolStats();
                hits += after.hits() - before.hits();
                misses += after.misses() - before.misses();
                done += batch;
                if (withScans) {
                    scan(tree);
                }
            }
        }

        private void scan(BPlusTree tree) {
            int from = scanRandom.nextInt(data.n);
            int expected = Math.min(SCAN_ENTRIES, data.n - from);
            int seen = 0;
            try (EntryIterator it = tree.scan(data.keys[from], null)) {
                while (seen < expected && it.hasNext()) {
                    if (!it.next().key().equals(data.keys[from + seen])) {
                        throw new IllegalStateException("entry " + seen + " of the scan from " + data.keys[from]
                                + " is not " + data.keys[from + seen]);
                    }
                    seen++;
                }
            }
            if (seen != expected) {
                throw new IllegalStateException(
                        "the scan from " + data.keys[from] + " returned " + seen + " entries; expected " + expected);
            }
            scans++;
        }
    }
}
