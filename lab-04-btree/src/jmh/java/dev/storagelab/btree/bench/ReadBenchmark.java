package dev.storagelab.btree.bench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DeviceWork;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
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
 * What reading costs: db_bench's {@code readrandom} and a seek followed by a scan of
 * {@value #SCAN_LENGTH} entries, on the lab-04 {@link BPlusTree} and on the lab-01
 * {@link SortedLogStore}, both holding the same {@code keys} entries (16-byte keys, 100-byte
 * values) on {@link dev.storagelab.io.DiskStorage} in a temporary directory, built once per trial by another JVM.
 *
 * <p>The stores ({@code impl}):
 * <ul>
 *   <li>{@code BPlusTree}: the keys put in random order (leaves about 69% full), reopened with the
 *       default options: 4 KiB pages and a pool of 1,024 frames (4 MiB), which holds every
 *       internal page of a 1M-key tree but a few percent of its leaves;</li>
 *   <li>{@code SortedLogStore}: the keys in one sorted segment of 4 KiB blocks, the store right
 *       after a full compaction: a get reads one block;</li>
 *   <li>{@code SortedLogStore4}: the same keys in four segments, each a quarter of the keys in
 *       random order, so each spans the whole key range, as the runs of an LSM tree between
 *       compactions do (lab-01 compacts at 8). With no Bloom filters (lab-05 adds them), a get of
 *       a key in the oldest segment reads a block in every one, and a scan merges four cursors.</li>
 * </ul>
 * Neither store caches blocks besides the B+tree's pool; the files are in the operating system's
 * page cache, so a page or block read is a system call and a checksum, not a disk seek.
 *
 * <p>{@link #readrandom}: one invocation gets the next {@value #GET_BATCH} keys of a seeded random
 * order of all keys; each must return the value stored for it. {@link #seekscan}: one invocation
 * makes {@value #SEEK_BATCH} scans of the range {@code [key(s), key(s + 100))} from random
 * {@code s}; each must return exactly the 100 entries stored there, in order. {@code keyOps} is
 * the time per get or per seek-and-scan. {@link PageReads} counts, per iteration, the operations
 * and the pages (B+tree pool misses) or blocks (sorted store) read from the file for them. The
 * work the lab teaches to save is those reads: another JVM builds the store ({@link Writer}), and
 * the trial's setup runs a counting pass ({@link #countDeviceReads}), the store opened and the
 * first {@value #COUNTED} gets of the lookup order, and {@link Work} reports the reads of the file
 * the open and the gets made, as every storage of the JVM counts them ({@link DeviceWork}), never
 * fewer than a {@link CountingStorage} under the store counts. The fork has a fixed 3 GB heap. A full run (6 combinations, each building its store for 10-20 s)
 * takes about 4 minutes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@State(Scope.Benchmark)
public class ReadBenchmark {

    static final int SCAN_LENGTH = 100;
    /** Gets per invocation of {@link #readrandom}. */
    static final int GET_BATCH = 1024;
    /** Seeks per invocation of {@link #seekscan}. */
    static final int SEEK_BATCH = 64;
    /** The B+tree's pool while it is read: the default 1,024 frames. */
    static final int POOL_FRAMES = 1024;

    @Param({"BPlusTree", "SortedLogStore", "SortedLogStore4"})
    public String impl;

    @Param({"1000000"})
    public int keys;

    Dataset data;
    private Path dir;
    private BPlusTree tree;
    private SortedLogStore sortedLog;
    OrderedStore store;
    /** Key numbers in lookup order. */
    private int[] probes;
    /** Where each scan starts, in [0, keys - 100], and the key its range ends before: {@code key(start + 100)}. */
    private int[] scanStarts;

    private Bytes[] scanEnds;
    private int nextProbe;
    private int nextScan;

    /** Gets the counting pass makes. */
    static final int COUNTED = 1 << 14;

    /** The counting pass's gets and the reads of the file they made ({@link #countDeviceReads}). */
    long countedGets;

    long countedReads;

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (keys < SCAN_LENGTH) {
            throw new IllegalArgumentException("keys must be at least " + SCAN_LENGTH + ": " + keys);
        }
        data = new Dataset(keys);
        dir = BenchData.tempDir("lab04-read");
        BenchData.setUpIn(dir, () -> {
            if (!List.of("BPlusTree", "SortedLogStore", "SortedLogStore4").contains(impl)) {
                throw new IllegalArgumentException(
                        "unknown impl " + impl + "; expected BPlusTree, SortedLogStore or SortedLogStore4");
            }
            // the writer holds the data set and, for the tree, a loading pool of an eighth of it: under 1 KiB a key
            BenchData.writeInAnotherJvm(Writer.class, 256 + keys / 1000, dir, impl, Integer.toString(keys));
            probes = BenchData.shuffled(keys, BenchData.SEED + 1);
            Random random = new Random(BenchData.SEED + 2);
            scanStarts = new int[1 << 16];
            scanEnds = new Bytes[scanStarts.length];
            for (int i = 0; i < scanStarts.length; i++) {
                scanStarts[i] = random.nextInt(keys - SCAN_LENGTH + 1);
                scanEnds[i] = Bytes.wrap(BenchData.keyBytes(scanStarts[i] + SCAN_LENGTH));
            }
            // The counting pass opens the store on its own, so the measured one starts cold, as before.
            DeviceWork start = DeviceWork.now();
            CountingStorage files = new CountingStorage(DiskStorage.open(dir));
            countDeviceReads(files, start);
            store.close();
            store = open(DiskStorage.open(dir));
        });
    }

    /** The store {@link #impl} names, on {@code files} (for the B+tree, with the pool of {@value #POOL_FRAMES} frames). */
    private OrderedStore open(dev.storagelab.io.Storage files) throws IOException {
        if (impl.equals("BPlusTree")) {
            tree = Dataset.openTree(files, POOL_FRAMES);
            return tree;
        }
        sortedLog = Dataset.openSortedLog(files);
        return OrderedStore.of(sortedLog);
    }

    /**
     * The JVM that writes the trial's store ({@link BenchData#writeInAnotherJvm}): in the directory
     * {@code args[0]}, the store {@code args[1]} names holding the {@link Dataset} of {@code args[2]}
     * keys, built as {@link Dataset#buildTree} and {@link Dataset#buildSortedLog} build it.
     */
    public static final class Writer {
        private Writer() {}

        public static void main(String[] args) throws IOException {
            KilledChild.exitWhenParentDies();
            Path dir = Path.of(args[0]);
            Dataset data = new Dataset(Integer.parseInt(args[2]));
            if (args[1].equals("BPlusTree")) {
                data.buildTree(dir);
            } else {
                data.buildSortedLog(dir, args[1].equals("SortedLogStore") ? 1 : 4);
            }
        }
    }

    /**
     * The counting pass: the store opened on {@code files} (its pool empty), then the first
     * {@value #COUNTED} keys of the lookup order (all of them, if fewer) got once each, every answer
     * checked, and the reads of the file by the open and the gets, as every storage of the JVM counts
     * them since {@code start} ({@link DeviceWork}; never fewer than {@code files} counts): the same
     * open and the same gets, so the same count, on any machine. Another JVM wrote the store, so
     * nothing kept since the writing answers for the file.
     */
    void countDeviceReads(CountingStorage files, DeviceWork start) throws IOException {
        store = open(files);
        int gets = Math.min(COUNTED, probes.length);
        for (int j = 0; j < gets; j++) {
            checkedGet(probes[j], store.get(data.keys[probes[j]]));
        }
        countedGets = gets;
        countedReads = Math.max(files.reads(), DeviceWork.now().since(start).reads());
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code deviceReads / gets} is the count per get); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long gets;
        public long deviceReads;

        @TearDown(Level.Iteration)
        public void report(ReadBenchmark bench) {
            gets = bench.countedGets;
            deviceReads = bench.countedReads;
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            BenchData.delete(dir);
        }
    }

    /** Pages (B+tree pool misses) or blocks (sorted store) read from the file so far. */
    long pageReads() {
        return tree != null
                ? tree.poolStats().misses()
                : sortedLog.metrics().snapshot().blocksRead();
    }

    /**
     * Operations and the pages or blocks read for them, per iteration: {@code pageReads / ops} is
     * the reads per get (or per seek-and-scan).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PageReads {
        public long ops;
        public long pageReads;
        private long before;

        @Setup(Level.Iteration)
        public void start(ReadBenchmark bench) {
            ops = 0;
            pageReads = 0;
            before = bench.pageReads();
        }

        @TearDown(Level.Iteration)
        public void stop(ReadBenchmark bench) {
            pageReads = bench.pageReads() - before;
        }
    }

    /** Gets the next {@value #GET_BATCH} keys of the lookup order; each must return its value. */
    @Benchmark
    public int readrandom(KeyOps counter, PageReads reads, Work work) throws IOException {
        int j = nextProbe;
        for (int n = 0; n < GET_BATCH; n++) {
            int i = probes[j];
            checkedGet(i, store.get(data.keys[i]));
            j = j + 1 == probes.length ? 0 : j + 1;
        }
        nextProbe = j;
        counter.keyOps += GET_BATCH;
        reads.ops += GET_BATCH;
        return j;
    }

    /**
     * {@code found}, what a get of key {@code i} returned, if it is the value stored for it (exact:
     * {@link OrderedStore#get} returns the key's value, and every key was put once). Every get is
     * checked: 100 bytes compared next to a descent of the tree or a block read.
     */
    Optional<Bytes> checkedGet(int i, Optional<Bytes> found) {
        AnswerCheck.require(
                found.isPresent() && found.get().equals(data.values[i]),
                () -> impl + ": get(" + data.keys[i] + ") returned "
                        + (found.isEmpty()
                                ? "no value; the loaded data has one"
                                : "a value other than the one stored for it"));
        return found;
    }

    /**
     * Makes {@value #SEEK_BATCH} scans of 100 entries from random keys; each must return exactly the
     * entries stored there.
     */
    @Benchmark
    public int seekscan(KeyOps counter, PageReads reads) {
        int k = nextScan;
        for (int n = 0; n < SEEK_BATCH; n++) {
            int s = scanStarts[k];
            Bytes end = scanEnds[k];
            k = k + 1 == scanStarts.length ? 0 : k + 1;
            int seen = 0;
            try (EntryIterator it = store.scan(data.keys[s], end)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    int i = s + seen;
                    if (!e.key().equals(data.keys[i]) || !e.value().equals(data.values[i])) {
                        throw new IllegalStateException(impl + ": entry " + seen + " of the scan from " + data.keys[s]
                                + " is " + e + "; expected " + data.keys[i] + " and the value stored for it");
                    }
                    seen++;
                }
            }
            if (seen != SCAN_LENGTH) {
                throw new IllegalStateException(impl + ": the scan of [" + data.keys[s] + ", " + end + ") returned "
                        + seen + " entries; expected " + SCAN_LENGTH);
            }
        }
        nextScan = k;
        counter.keyOps += SEEK_BATCH;
        reads.ops += SEEK_BATCH;
        return k;
    }
}
