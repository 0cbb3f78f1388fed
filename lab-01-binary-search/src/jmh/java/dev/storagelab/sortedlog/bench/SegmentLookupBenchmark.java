package dev.storagelab.sortedlog.bench;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DeviceWork;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SegmentWriter;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;
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
 * What one point lookup in a segment costs as the block size changes ({@link SegmentReader#get}):
 * a binary search of the in-memory sparse index, then one block read, checked (CRC32C) and
 * decoded. Bigger blocks mean a smaller index in memory but more bytes read, checked and decoded
 * per lookup; smaller blocks the opposite.
 *
 * <p>Besides the time per lookup, the {@link IoCounters} report the lookups made and the blocks and
 * bytes they read, measured through {@link StoreMetrics} and {@link CountingStorage}; the trial's
 * setup prints the number of blocks (index entries) and its teardown the per-lookup ratios. The
 * segment, {@code entries} keys of 16 bytes with 100-byte values, is written once per trial to a
 * temporary directory on disk by another JVM ({@link Writer}); it stays in the page cache, so this
 * measures CPU and system calls, not a cold disk. Every lookup is for a key that is present, chosen
 * uniformly at random, and every answer is checked ({@link #checked}): the entry must be the key's,
 * with the value written for it.
 *
 * <p>The work the lab teaches to save is the bytes read: the trial's setup runs a counting pass
 * ({@link #countBytesRead}), the segment opened and the first {@value #COUNTED} probes looked up
 * once, and {@link Work} reports the bytes the open and the lookups read from the file (the footer
 * and the sparse index once, then about one block a lookup: the index, in memory, names the one
 * block that can hold the key), as every storage of the JVM counts them ({@link DeviceWork}), so
 * that a file opened through a storage of the segment's own counts too. The JVM that counts did not
 * write the segment, so nothing kept since the writing answers for the file.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SegmentLookupBenchmark {

    /** Power of two, so a probe index wraps with a mask. */
    private static final int PROBES = 1 << 16;

    @Param({"256", "1024", "4096", "16384", "65536"})
    public int blockSize;

    @Param({"100000"})
    public int entries;

    private Path dir;
    private CountingStorage storage;
    private StoreMetrics metrics;
    private SegmentReader segment;
    private Bytes[] probes;
    /** The value written for each key, by key number, and each probe's key number. */
    private Bytes[] values;

    private int[] probeKeys;
    /** Lookups over the whole trial, warmup included, and the bytes read before the first. */
    private long trialLookups;

    private long bytesReadAtOpen;

    /** Lookups the counting pass makes. */
    static final int COUNTED = 1 << 14;

    /** The counting pass's lookups and the bytes they read ({@link #countBytesRead}). */
    long countedGets;

    long countedBytesRead;

    /** The segment's name in the trial's directory. */
    static final String NAME = "000001-000001.seg";

    @Setup(Level.Trial)
    public void writeSegment() throws IOException {
        dir = BenchData.tempDir("lookup");
        BenchData.setUpIn(dir, () -> {
            BenchData.writeInAnotherJvm(Writer.class, dir, Integer.toString(blockSize), Integer.toString(entries));
            Random random = new Random(BenchData.SEED);
            values = new Bytes[entries];
            for (int i = 0; i < entries; i++) {
                values[i] = Bytes.wrap(BenchData.valueBytes(random)); // as the writer drew them
            }
            probes = new Bytes[PROBES];
            probeKeys = new int[PROBES];
            for (int i = 0; i < PROBES; i++) {
                probeKeys[i] = random.nextInt(entries);
                probes[i] = Bytes.wrap(BenchData.keyBytes(probeKeys[i]));
            }
            DeviceWork start = DeviceWork.now();
            storage = new CountingStorage(DiskStorage.open(dir));
            metrics = new StoreMetrics(storage);
            countBytesRead(start);
            System.out.printf("%n[lookup] blockSize %d: %s, %d bytes%n", blockSize, segment, segment.fileSize());
        });
    }

    /**
     * The JVM that writes the trial's segment ({@link BenchData#writeInAnotherJvm}): in the directory
     * {@code args[0]}, {@code args[2]} entries in blocks of {@code args[1]} bytes, key {@code i} with
     * the {@code i}-th value drawn from {@link BenchData#SEED}.
     */
    public static final class Writer {
        private Writer() {}

        public static void main(String[] args) throws IOException {
            KilledChild.exitWhenParentDies();
            int blockSize = Integer.parseInt(args[1]);
            int entries = Integer.parseInt(args[2]);
            Random random = new Random(BenchData.SEED);
            try (SegmentWriter writer = new SegmentWriter(DiskStorage.open(Path.of(args[0])), NAME, blockSize)) {
                for (int i = 0; i < entries; i++) {
                    writer.add(Entry.put(Bytes.wrap(BenchData.keyBytes(i)), Bytes.wrap(BenchData.valueBytes(random))));
                }
                writer.finish();
            }
        }
    }

    /**
     * The counting pass: the segment opened, then the first {@value #COUNTED} probes looked up once
     * each, every answer checked, and the bytes read by all of it, as every storage of the JVM counts
     * them since {@code start} (never fewer than the storage under the segment counts): the same open
     * and the same lookups, so the same count, on any machine.
     */
    void countBytesRead(DeviceWork start) throws IOException {
        segment = SegmentReader.open(storage, NAME, metrics);
        bytesReadAtOpen = storage.bytesRead();
        for (int i = 0; i < COUNTED; i++) {
            checked(i, segment.get(probes[i]));
        }
        countedGets = COUNTED;
        countedBytesRead =
                Math.max(storage.bytesRead(), DeviceWork.now().since(start).bytesRead());
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code bytesRead / gets} is the count per lookup); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long gets;
        public long deviceBytesRead;

        @TearDown(Level.Iteration)
        public void report(SegmentLookupBenchmark bench) {
            gets = bench.countedGets;
            deviceBytesRead = bench.countedBytesRead;
        }
    }

    @TearDown(Level.Trial)
    public void deleteFiles() throws IOException {
        if (trialLookups > 0) {
            System.out.printf(
                    "%n[lookup] blockSize %d: %.3f blocks and %.1f bytes read per lookup (%d lookups)%n",
                    blockSize,
                    (double) metrics.snapshot().blocksRead() / trialLookups,
                    (double) (storage.bytesRead() - bytesReadAtOpen) / trialLookups,
                    trialLookups);
        }
        if (segment != null) {
            segment.close();
        }
        BenchData.delete(dir);
    }

    /**
     * I/O counters, reported by JMH next to the time per lookup. JMH sums event counters over the
     * measurement iterations, so these are totals: divide {@code blocksRead} and {@code bytesRead}
     * by {@code lookups} for the per-lookup cost (the trial's teardown prints those ratios too).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class IoCounters {
        /** Lookups made in this iteration. */
        public long lookups;

        private SegmentLookupBenchmark bench;
        private long blocksAtStart;
        private long bytesAtStart;
        private int next;

        @Setup(Level.Iteration)
        public void start(SegmentLookupBenchmark bench) {
            this.bench = bench;
            lookups = 0;
            blocksAtStart = bench.metrics.snapshot().blocksRead();
            bytesAtStart = bench.storage.bytesRead();
        }

        @TearDown(Level.Iteration)
        public void finish() {
            bench.trialLookups += lookups;
        }

        /** Blocks read in this iteration, as the segment counts them in {@link StoreMetrics}. */
        public long blocksRead() {
            return bench.metrics.snapshot().blocksRead() - blocksAtStart;
        }

        /** Bytes read from the file in this iteration, as {@link CountingStorage} counts them. */
        public long bytesRead() {
            return bench.storage.bytesRead() - bytesAtStart;
        }
    }

    @Benchmark
    public Entry get(IoCounters io, Work work) throws IOException {
        int i = io.next++ & (PROBES - 1);
        io.lookups++;
        return checked(i, segment.get(probes[i]));
    }

    /**
     * {@code e}, what the segment returned for probe {@code i}, if it is the entry written for the
     * key: exact, as {@link SegmentReader#get} promises the key's entry, and the segment holds one
     * put of each key. Every answer is checked: comparing 116 bytes is little next to reading,
     * checking and decoding a block.
     */
    Entry checked(int i, Entry e) {
        Bytes key = probes[i];
        Bytes value = values[probeKeys[i]];
        AnswerCheck.require(
                e != null && e.key().equals(key) && value.equals(e.value()),
                () -> "get(" + key + ") returned "
                        + (e == null
                                ? "nothing"
                                : !e.key().equals(key)
                                        ? "the entry of " + e.key()
                                        : e.isTombstone() ? "a tombstone" : "a value other than the one written for it")
                        + "; the segment holds a put of that key");
        return e;
    }
}
