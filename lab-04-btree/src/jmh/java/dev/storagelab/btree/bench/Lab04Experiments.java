package dev.storagelab.btree.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lab-04's counting experiments, the figures of the notes that are counts rather than times (so
 * JMH has nothing to time): leaf fill by how a tree was built ({@link LeafFillExperiment}), the
 * buffer pool's hit rate and misses per get against its size for LRU and LRU-2
 * ({@link BufferPoolExperiment}), and write amplification under overwrites with periodic
 * checkpoints ({@link WriteAmplificationExperiment}). Everything is seeded, so a run repeats its
 * counts exactly.
 *
 * <pre>
 * java -cp CLASSPATH dev.storagelab.btree.bench.Lab04Experiments [--keys N] [--only NAME,...] [--workloads W,...] OUT_DIR
 * </pre>
 *
 * writes {@code lab04-leaf-fill.json}, {@code lab04-buffer-pool.json} and
 * {@code lab04-write-amp.json} to {@code OUT_DIR} ({@code --only} picks some of
 * {@code leaf-fill}, {@code buffer-pool}, {@code write-amp}; {@code --workloads} some of the
 * buffer-pool workloads, {@code uniform}, {@code zipfian}, {@code zipfian+scans}). With the
 * default 1,000,000 keys a full run takes about 20 minutes on a 2-core machine and needs a 3 GB
 * heap and about 1 GB of temporary disk.
 */
public final class Lab04Experiments {

    static final String LEAF_FILL = "leaf-fill";
    static final String BUFFER_POOL = "buffer-pool";
    static final String WRITE_AMP = "write-amp";

    /** The pool sizes of the hit-rate curves, in frames of 4 KiB: 256 KiB to 256 MiB. */
    static final int[] POOL_SIZES = {64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};

    static final double[] BULK_FILL_FACTORS = {1.0, 0.9, 0.7};
    static final int[] WRITE_AMP_POOLS = {1024, 65536};
    private static final String USAGE = "usage: Lab04Experiments [--keys N] [--only leaf-fill,buffer-pool,write-amp]"
            + " [--workloads uniform,zipfian,zipfian+scans] OUT_DIR";

    private Lab04Experiments() {}

    /** How big each experiment is, and which buffer-pool workloads it runs. */
    record Sizes(
            int keys,
            int[] poolSizes,
            int warmupGets,
            int measuredGets,
            int updates,
            int[] checkpointIntervals,
            List<String> workloads) {

        /** The sizes of the notes' runs, scaled to {@code keys}, with every workload. */
        static Sizes forKeys(int keys) {
            return new Sizes(
                    keys,
                    POOL_SIZES,
                    keys / 2,
                    keys,
                    keys,
                    new int[] {Math.max(1, keys / 1000), Math.max(1, keys / 100), Math.max(1, keys / 10), keys},
                    BufferPoolExperiment.WORKLOADS);
        }

        Sizes withWorkloads(List<String> w) {
            return new Sizes(keys, poolSizes, warmupGets, measuredGets, updates, checkpointIntervals, w);
        }
    }

    public static void main(String[] args) throws IOException {
        int keys = 1_000_000;
        List<String> only = List.of(LEAF_FILL, BUFFER_POOL, WRITE_AMP);
        List<String> workloads = BufferPoolExperiment.WORKLOADS;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                case "--workloads" -> workloads = Arrays.asList(args[++i].split(","));
                default -> {
                    if (args[i].startsWith("-") || out != null) {
                        System.err.println(USAGE);
                        System.exit(2);
                    }
                    out = Path.of(args[i]);
                }
            }
        }
        if (out == null) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Files.createDirectories(out);
        Map<String, Object> results = run(Sizes.forKeys(keys).withWorkloads(workloads), only);
        Gson gson = new GsonBuilder()
                .setPrettyPrinting()
                .serializeSpecialFloatingPointValues()
                .create();
        for (Map.Entry<String, Object> e : results.entrySet()) {
            Path file = out.resolve("lab04-" + e.getKey() + ".json");
            Files.writeString(file, gson.toJson(e.getValue()) + "\n", StandardCharsets.UTF_8);
            System.err.println("wrote " + file);
        }
    }

    /** Runs the experiments named in {@code only} and returns each one's results by name. */
    static Map<String, Object> run(Sizes sizes, List<String> only) throws IOException {
        for (String name : only) {
            if (!List.of(LEAF_FILL, BUFFER_POOL, WRITE_AMP).contains(name)) {
                throw new IllegalArgumentException(
                        "unknown experiment " + name + "; expected leaf-fill, buffer-pool or write-amp");
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        Dataset data = new Dataset(sizes.keys());
        Path work = BenchData.tempDir("lab04-experiments");
        try {
            if (only.contains(LEAF_FILL)) {
                long start = System.nanoTime();
                List<LeafFillExperiment.Row> rows = LeafFillExperiment.run(data, work, BULK_FILL_FACTORS);
                rows.forEach(r -> System.err.println("[leaf fill] " + r));
                results.put(LEAF_FILL, envelope(sizes, start, Map.of(), rows));
            }
            if (only.contains(BUFFER_POOL) || only.contains(WRITE_AMP)) {
                Path treeDir = work.resolve("tree");
                data.buildTree(treeDir);
                TreeDump.Stats shape;
                try (BPlusTree tree = Dataset.openTree(treeDir, data.loadingPoolFrames())) {
                    shape = TreeDump.stats(tree);
                }
                System.err.println("[tree] " + shape);
                if (only.contains(BUFFER_POOL)) {
                    long start = System.nanoTime();
                    List<BufferPoolExperiment.Row> rows = BufferPoolExperiment.run(
                            data,
                            treeDir,
                            sizes.workloads(),
                            sizes.poolSizes(),
                            sizes.warmupGets(),
                            sizes.measuredGets());
                    results.put(
                            BUFFER_POOL,
                            envelope(
                                    sizes,
                                    start,
                                    Map.of(
                                            "tree",
                                            shape,
                                            "warmupGets",
                                            sizes.warmupGets(),
                                            "measuredGets",
                                            sizes.measuredGets(),
                                            "theta",
                                            BufferPoolExperiment.THETA),
                                    rows));
                }
                if (only.contains(WRITE_AMP)) {
                    long start = System.nanoTime();
                    Path sortedLogDir = work.resolve("sortedlog");
                    data.buildSortedLog(sortedLogDir, 1);
                    List<WriteAmplificationExperiment.Row> rows = WriteAmplificationExperiment.run(
                            data,
                            treeDir,
                            sortedLogDir,
                            work,
                            sizes.updates(),
                            WRITE_AMP_POOLS,
                            sizes.checkpointIntervals());
                    results.put(
                            WRITE_AMP, envelope(sizes, start, Map.of("tree", shape, "updates", sizes.updates()), rows));
                }
            }
        } finally {
            BenchData.delete(work);
        }
        return results;
    }

    /** The rows, with what produced them. */
    private static Map<String, Object> envelope(Sizes sizes, long startNanos, Map<String, Object> setup, List<?> rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keys", sizes.keys());
        m.put("keyBytes", BenchData.KEY_BYTES);
        m.put("valueBytes", BenchData.VALUE_BYTES);
        m.put("finished", Instant.now().toString());
        m.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0);
        System.err.println("[experiments] " + m.get("seconds") + " s");
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.putAll(setup);
        m.put("rows", new ArrayList<>(rows));
        return m;
    }
}
