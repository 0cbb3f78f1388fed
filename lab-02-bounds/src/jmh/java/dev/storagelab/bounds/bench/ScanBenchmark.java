package dev.storagelab.bounds.bench;

import dev.storagelab.bounds.Cursor;
import dev.storagelab.bounds.Direction;
import dev.storagelab.bounds.KeysetPaginator;
import dev.storagelab.bounds.Page;
import dev.storagelab.bounds.RangeScan;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DeviceWork;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
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
 * The production question of lab-02: what do 100 consecutive entries cost, read as one seek and a
 * sequential scan ({@link RangeScan#scan}), next to one point lookup ({@link SortedLogStore#get})
 * and next to 100 point lookups of the same keys? And what does a keyset page of 100 add on top
 * of the scan ({@link KeysetPaginator#next}: checking the cursor's HMAC, signing the next one)?
 * {@link #cursorDecodeAndEncode} measures the cursor work alone.
 *
 * <p>The store holds {@code keys} keys of 16 bytes with 100-byte values in {@code segments}
 * segments of 4 KiB blocks on disk, in a temporary directory, with an empty memtable. With more
 * than one segment the keys are interleaved (key i is in segment i mod segments), so every
 * segment's key range covers every probe: a scan merges all of them, and a point lookup reads
 * newest first until the segment that has the key, as lab-01's read path does. Every probe starts
 * at a key chosen uniformly at random among those with at least 99 keys after it. The files stay
 * in the page cache, so this measures CPU and system calls, not a cold disk.
 *
 * <p>Besides the time per operation, the {@link IoCounters} report the operations and the blocks
 * they read (summed over the iterations: divide {@code blocksRead} by {@code ops}).
 *
 * <p>The work the lab teaches to save is what a scan reads: another JVM writes the store
 * ({@link Writer}), the trial's setup opens it and runs a counting pass ({@link #countScanReads}),
 * the first {@value #COUNTED} probes scanned once, and {@link Work} reports the reads the open and
 * the scans made of the store's files, as every storage of the JVM counts them ({@link DeviceWork}),
 * never fewer than {@link CountingStorage} counts under the store. The
 * open reads each segment's footer and index; a scan that seeks reads about one block per segment,
 * and one more where its 100 entries cross a block's end.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ScanBenchmark {

    /** Entries a scan (or a page) returns. */
    static final int SCAN_LENGTH = 100;
    /** Power of two, so a probe index wraps with a mask. */
    private static final int PROBES = 1 << 14;

    @Param({"100000", "1000000"})
    public int keys;

    @Param({"1", "8"})
    public int segments;

    private Path dir;
    private SortedLogStore store;
    private KeysetPaginator paginator;
    private byte[] secret;
    /** Every key of the store, so that probes do not pay for formatting keys. */
    Bytes[] allKeys;
    /** The value written for each key, by key number: what a scan must return beside it. */
    Bytes[] values;

    private int[] starts;
    private String[] cursors;
    private CountingStorage storage;

    /** Scans the counting pass makes. */
    static final int COUNTED = 512;

    /** The counting pass's scans and the reads they made ({@link #countScanReads}). */
    long countedScans;

    long countedReads;

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (keys < SCAN_LENGTH + 2) {
            throw new IllegalArgumentException("keys must be at least " + (SCAN_LENGTH + 2) + ": " + keys);
        }
        dir = BenchData.tempDir("scan");
        BenchData.setUpIn(dir, () -> {
            // the writer's memtable holds every key until its segment is flushed: about 1 KiB of heap a key
            BenchData.writeInAnotherJvm(
                    Writer.class, 256 + keys / 1000, dir, Integer.toString(keys), Integer.toString(segments));
            Random random = new Random(BenchData.SEED);
            allKeys = new Bytes[keys];
            values = new Bytes[keys];
            for (int i = 0; i < keys; i++) {
                allKeys[i] = Bytes.wrap(BenchData.keyBytes(i));
            }
            for (int s = 0; s < segments; s++) {
                for (int i = s; i < keys; i += segments) {
                    values[i] = Bytes.wrap(BenchData.valueBytes(random)); // as the writer drew them
                }
            }
            DeviceWork start = DeviceWork.now();
            storage = new CountingStorage(DiskStorage.open(dir));
            store = SortedLogStore.open(storage, OPTIONS);
            if (store.segmentNames().size() != segments) {
                throw new IllegalStateException(
                        "the store opened with " + store.segmentNames() + "; expected " + segments + " segments");
            }
            secret = new byte[32];
            random.nextBytes(secret);
            paginator = new KeysetPaginator(store, secret);
            starts = new int[PROBES];
            cursors = new String[PROBES];
            for (int i = 0; i < PROBES; i++) {
                // A probe starts at key s in [1, keys - SCAN_LENGTH], so SCAN_LENGTH keys follow from s on,
                // and the cursor of the page before it stands at key s - 1.
                starts[i] = 1 + random.nextInt(keys - SCAN_LENGTH);
                cursors[i] = new Cursor(Direction.FORWARD, allKeys[starts[i] - 1]).encode(secret);
            }
            System.out.printf("%n[scan] %d keys in %d segments: %s%n", keys, segments, store.describeSegments());
            countScanReads(start);
        });
    }

    /**
     * A memtable large enough for all the data, and no automatic compaction: the benchmark decides
     * how many segments there are.
     */
    static final SortedLogOptions OPTIONS = SortedLogOptions.builder()
            .memtableBytes(1L << 30)
            .compactionTrigger(0)
            .build();

    /**
     * The JVM that writes the trial's store ({@link BenchData#writeInAnotherJvm}): in the directory
     * {@code args[0]}, {@code args[1]} keys in {@code args[2]} segments, key {@code i} in segment
     * {@code i mod segments}, each segment's values drawn from {@link BenchData#SEED} in turn.
     */
    public static final class Writer {
        private Writer() {}

        public static void main(String[] args) throws IOException {
            KilledChild.exitWhenParentDies();
            int keys = Integer.parseInt(args[1]);
            int segments = Integer.parseInt(args[2]);
            Random random = new Random(BenchData.SEED);
            try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(Path.of(args[0])), OPTIONS)) {
                for (int s = 0; s < segments; s++) {
                    for (int i = s; i < keys; i += segments) {
                        store.put(Bytes.wrap(BenchData.keyBytes(i)), Bytes.wrap(BenchData.valueBytes(random)));
                    }
                    store.flush();
                }
                if (store.segmentNames().size() != segments) {
                    throw new IllegalStateException(
                            "the writer made " + store.segmentNames() + "; expected " + segments + " segments");
                }
            }
        }
    }

    /**
     * The counting pass: on the store just opened, the first {@value #COUNTED} probes' scans of 100
     * entries, each checked, and the reads of the files by the open and the scans, as every storage
     * of the JVM counts them since {@code start} (never fewer than the storage under the store
     * counts): the same open and the same scans, so the same count, on any machine.
     */
    void countScanReads(DeviceWork start) {
        for (int p = 0; p < COUNTED; p++) {
            scanChecked(p, true);
        }
        countedScans = COUNTED;
        countedReads = Math.max(storage.reads(), DeviceWork.now().since(start).reads());
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code deviceReads / scans} is the count per scan); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long scans;
        public long deviceReads;

        @TearDown(Level.Iteration)
        public void report(ScanBenchmark bench) {
            scans = bench.countedScans;
            deviceReads = bench.countedReads;
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        if (store != null) {
            store.close();
        }
        BenchData.delete(dir);
    }

    /**
     * Operations and block reads, reported next to the time. JMH sums event counters over the
     * measurement iterations: divide {@code blocksRead} by {@code ops} for blocks per operation.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class IoCounters {
        /** Operations made in this iteration. */
        public long ops;

        private SortedLogStore store;
        private long blocksAtStart;
        private int next;

        @Setup(Level.Iteration)
        public void start(ScanBenchmark bench) {
            store = bench.store;
            ops = 0;
            blocksAtStart = store.metrics().snapshot().blocksRead();
        }

        /** Blocks read in this iteration, as the store counts them. */
        public long blocksRead() {
            return store.metrics().snapshot().blocksRead() - blocksAtStart;
        }

        int probe() {
            ops++;
            return next++ & (PROBES - 1);
        }
    }

    /** One point lookup: the baseline. */
    @Benchmark
    public Bytes pointGet(IoCounters io) throws IOException {
        Bytes key = allKeys[starts[io.probe()]];
        return store.get(key).orElseThrow(() -> new IllegalStateException("present key " + key + " not found"));
    }

    /**
     * One seek, then 100 entries read in order: what the episode's feed page needs. Checked
     * ({@link #checkedScan}): every scan must return 100 entries ending at the 100th key from its
     * start; a scan of the sample ({@link AnswerCheck#sampled}, one in {@value AnswerCheck#SAMPLE_EVERY})
     * must return each key in order with the value written for it.
     */
    @Benchmark
    public Entry seekAndScan100(IoCounters io, Work work) {
        int p = io.probe();
        return scanChecked(p, AnswerCheck.sampled(p));
    }

    /** Probe {@code p}'s scan of 100 entries, checked: every entry of it when {@code sampled}, its length and last key always. */
    Entry scanChecked(int p, boolean sampled) {
        int start = starts[p];
        Entry last = null;
        int n = 0;
        try (EntryIterator it = RangeScan.scan(store, allKeys[start], null)) {
            for (; n < SCAN_LENGTH && it.hasNext(); n++) {
                last = it.next();
                if (sampled) {
                    checkedEntry(start, n, last);
                }
            }
        }
        return checkedScan(start, n, last);
    }

    /**
     * Entry {@code n} of the scan from key {@code start}, if it is key {@code start + n} with the
     * value written for it. Exact: a range scan returns the store's live entries in key order from
     * its first key, and the store holds one put of each key. 116 bytes compared per entry: on a
     * sample of scans.
     */
    Entry checkedEntry(int start, int n, Entry e) {
        AnswerCheck.require(
                e.key().equals(allKeys[start + n]) && values[start + n].equals(e.value()),
                () -> "entry " + n + " of the scan from " + allKeys[start] + " is "
                        + (e.key().equals(allKeys[start + n])
                                ? (e.isTombstone()
                                        ? "a tombstone"
                                        : "its key with a value other than the one written for it")
                                : "the key " + e.key())
                        + "; the store holds " + allKeys[start + n] + " there, with its value");
        return e;
    }

    /**
     * The last entry of the scan from key {@code start}, which returned {@code n} entries, if it
     * returned {@value #SCAN_LENGTH} and the last is key {@code start + 99}: exact (at least 99 keys
     * follow every start), and a check of two numbers and one key, so every scan is checked.
     */
    Entry checkedScan(int start, int n, Entry last) {
        AnswerCheck.require(
                n == SCAN_LENGTH && last.key().equals(allKeys[start + SCAN_LENGTH - 1]),
                () -> "the scan from " + allKeys[start] + " returned " + n + " entries"
                        + (n == 0 ? "" : ", the last " + last.key()) + "; the store holds " + SCAN_LENGTH
                        + " keys from there on, the last " + allKeys[start + SCAN_LENGTH - 1]);
        return last;
    }

    /** The same 100 entries, one point lookup each: what a get-only API forces on a caller. */
    @Benchmark
    public long hundredGets(IoCounters io) throws IOException {
        int start = starts[io.probe()];
        long bytes = 0;
        for (int n = 0; n < SCAN_LENGTH; n++) {
            bytes += store.get(allKeys[start + n]).orElseThrow().length();
        }
        return bytes;
    }

    /**
     * The cursor's share of a keyset page, without the scan: check and decode the incoming token,
     * sign and encode the next one (two HMAC-SHA256 computations).
     */
    @Benchmark
    public String cursorDecodeAndEncode(IoCounters io) {
        Cursor c = Cursor.decode(cursors[io.probe()], secret);
        return new Cursor(c.direction(), c.lastKey()).encode(secret);
    }

    /** A keyset page of 100: decode and check the cursor, scan, sign the next cursor. */
    @Benchmark
    public Page keysetPage100(IoCounters io) {
        int p = io.probe();
        Page page = paginator.next(cursors[p], SCAN_LENGTH);
        if (page.entries().size() != SCAN_LENGTH || !page.entries().get(0).key().equals(allKeys[starts[p]])) {
            throw new IllegalStateException("the page after " + allKeys[starts[p] - 1] + " must hold the "
                    + SCAN_LENGTH + " keys from " + allKeys[starts[p]] + " on; it holds "
                    + page.entries().size()
                    + " entries: " + page.entries());
        }
        return page;
    }
}
