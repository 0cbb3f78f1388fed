package dev.storagelab.lsm.bench;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.BloomFilter;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * The three figures of {@code notes/05-lsm.md} §5.10 that are not a benchmark of one operation:
 * <ul>
 *   <li>{@code bloom CSV}: the measured false-positive rate of lab-05's {@link BloomFilter} from 1 to
 *       20 bits per key (100,000 keys added, 1,000,000 absent keys probed) beside the theory
 *       {@code (1 - e^(-k/b))^k} at the probe count {@code k} the filter uses;</li>
 *   <li>{@code l0 CSV}: read amplification as level 0 grows with compaction held off (the
 *       episode's experiment): after each of 24 flushes of 20,000 new keys, 5,000 gets of present keys and
 *       5,000 of absent keys, counting the tables each get consulted (a data block read or a filter
 *       skip, which is also the data blocks a store without filters would read) and the data
 *       blocks it read with 10-bit filters;</li>
 *   <li>{@code p99 CSV}: get latency in 100 ms windows while one thread reads at random, before,
 *       during and after a {@link LsmStore#compactAll()} of 48 level-0 flushes (1,920,000 keys), after
 *       3 s of warm-up that are not recorded: what
 *       "compaction hurts" looks like.</li>
 * </ul>
 * The first two are counts, the same on every run; the third is a timing, and depends on the
 * machine and its load. Usage: {@code LsmFigures bloom|l0|p99 OUT.csv [DIR]}; the stores go in a
 * fresh temporary directory under {@code DIR} (default: the system's), deleted afterwards.
 */
public final class LsmFigures {

    private static final int VALUE_BYTES = 100;
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private LsmFigures() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LsmFigures bloom|l0|p99 OUT.csv [DIR]");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        Path parent = args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("java.io.tmpdir"));
        switch (args[0]) {
            case "bloom" -> bloom(out);
            case "l0" -> l0(out, parent);
            case "p99" -> p99(out, parent);
            default -> {
                System.err.println("unknown figure: " + args[0] + " (bloom, l0 or p99)");
                System.exit(2);
            }
        }
    }

    static byte[] key(long i) {
        return String.format(Locale.ROOT, "user%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static Bytes value(long i) {
        byte[] v = new byte[VALUE_BYTES];
        new SplittableRandom(i).nextBytes(v);
        return Bytes.wrap(v);
    }

    // ------------------------------------------------------------------ Bloom filter curve

    static void bloom(Path out) throws IOException {
        int added = 100_000;
        int absent = 1_000_000;
        List<byte[]> keys = new ArrayList<>(added);
        for (int i = 0; i < added; i++) {
            keys.add(key(2L * i));
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("bits_per_key,probes,measured_fp,theory_fp,optimal_fp");
            for (int bits = 1; bits <= 20; bits++) {
                BloomFilter f = BloomFilter.open(BloomFilter.build(keys, bits), "figure", 0);
                long maybe = 0;
                for (int i = 0; i < absent; i++) {
                    if (f.mayContain(key(2L * i + 1))) {
                        maybe++;
                    }
                }
                int k = f.probeCount();
                double theory = Math.pow(1 - Math.exp(-(double) k / bits), k);
                double optimal = Math.pow(0.5, bits * Math.log(2));
                w.printf(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f%n", bits, k, (double) maybe / absent, theory, optimal);
                System.out.printf(
                        Locale.ROOT,
                        "bits %2d  k %2d  measured %.4f%%  theory %.4f%%%n",
                        bits,
                        k,
                        100.0 * maybe / absent,
                        100 * theory);
            }
        }
    }

    // ------------------------------------------------------------------ read amplification as L0 grows

    static LsmOptions heldOff(int bloomBits, long cacheBytes) {
        LsmOptions.Builder b = LsmOptions.defaults().toBuilder();
        b.memtableBytes = 64 << 20; // flushed by hand, one table per flush
        b.tableBytes = 256 << 20;
        b.l0CompactionTrigger = 1000; // compaction held off
        b.l0SlowdownTrigger = 1000;
        b.l0StopTrigger = 1000;
        b.backgroundWork = false;
        b.bloomBitsPerKey = bloomBits;
        b.blockCacheBytes = cacheBytes;
        return b.build();
    }

    static void l0(Path out, Path parent) throws IOException {
        int flushes = 24;
        int perFlush = 20_000;
        int probes = 5_000;
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("bloom_bits,l0_tables,present_tables_per_get,present_blocks_per_get,"
                    + "absent_tables_per_get,absent_blocks_per_get");
            for (int bits : new int[] {10}) {
                Path dir = Files.createTempDirectory(parent, "lsm-l0-");
                try (LsmStore store = LsmStore.open(DiskStorage.open(dir), heldOff(bits, 0))) {
                    SplittableRandom rnd = new SplittableRandom(42);
                    long written = 0;
                    for (int f = 1; f <= flushes; f++) {
                        for (int i = 0; i < perFlush; i++) {
                            // keys spread over the whole range, as random writes are: every table overlaps every other
                            long k = written * 2;
                            store.put(Bytes.wrap(key(scatter(k))), value(k));
                            written++;
                        }
                        store.flush();
                        long[] present = consult(store, rnd, probes, written, true);
                        long[] missing = consult(store, rnd, probes, written, false);
                        w.printf(
                                Locale.ROOT,
                                "%d,%d,%.4f,%.4f,%.4f,%.4f%n",
                                bits,
                                store.stats().filesPerLevel()[0],
                                (double) present[0] / probes,
                                (double) present[1] / probes,
                                (double) missing[0] / probes,
                                (double) missing[1] / probes);
                        w.flush();
                    }
                } finally {
                    deleteTree(dir);
                }
            }
        }
    }

    /** Spreads consecutive numbers over the key space, so each flush's table covers it all. */
    static long scatter(long k) {
        return Long.remainderUnsigned(k * 0x9E3779B97F4A7C15L, 1_000_000_000_000L);
    }

    /** Gets {@code n} random present or absent keys; returns tables consulted and data blocks read. */
    static long[] consult(LsmStore store, SplittableRandom rnd, int n, long written, boolean present)
            throws IOException {
        LsmStore.Stats before = store.stats();
        for (int i = 0; i < n; i++) {
            long k = rnd.nextLong(written) * 2 + (present ? 0 : 1);
            boolean found = store.get(Bytes.wrap(key(scatter(k)))).isPresent();
            if (found != present) {
                throw new IllegalStateException("key " + k + (present ? " missing" : " found"));
            }
        }
        LsmStore.Stats after = store.stats();
        long blocks = after.blockReads() - before.blockReads();
        long skips = after.filterSkips() - before.filterSkips();
        return new long[] {blocks + skips, blocks};
    }

    // ------------------------------------------------------------------ get p99 during a compaction

    static void p99(Path out, Path parent) throws Exception {
        int flushes = 48;
        int perFlush = 40_000;
        Path dir = Files.createTempDirectory(parent, "lsm-p99-");
        LsmOptions.Builder options = heldOff(10, 8 << 20).toBuilder();
        options.tableBytes = LsmOptions.defaults().tableBytes(); // the compaction's outputs cut at 2 MiB
        try (LsmStore store = LsmStore.open(DiskStorage.open(dir), options.build())) {
            long written = 0;
            for (int f = 0; f < flushes; f++) {
                for (int i = 0; i < perFlush; i++) {
                    store.put(Bytes.wrap(key(scatter(written))), value(written));
                    written++;
                }
                store.flush();
            }
            long keys = written;
            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> windows = java.util.Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            Thread reader = new Thread(
                    () -> {
                        SplittableRandom rnd = new SplittableRandom(7);
                        Histogram h = new Histogram(3_600_000_000L, 3);
                        long windowStart = System.nanoTime();
                        boolean warm = false;
                        try {
                            while (!stop.get()) {
                                long k = rnd.nextLong(keys);
                                long t0 = System.nanoTime();
                                if (store.get(Bytes.wrap(key(scatter(k)))).isEmpty()) {
                                    throw new IllegalStateException("key " + k + " missing");
                                }
                                long t1 = System.nanoTime();
                                h.recordValue(Math.max(1, t1 - t0));
                                if (!warm && t1 - start >= WARM_UP_NANOS) {
                                    h.reset(); // the JIT's first seconds are not the store's
                                    windowStart = t1;
                                    warm = true;
                                } else if (warm && t1 - windowStart >= 100_000_000L) {
                                    windows.add(new long[] {
                                        (windowStart - start) / 1_000_000,
                                        h.getTotalCount(),
                                        h.getValueAtPercentile(50),
                                        h.getValueAtPercentile(99),
                                        h.getMaxValue()
                                    });
                                    h.reset();
                                    windowStart = t1;
                                }
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    "reader");
            reader.start();
            Thread.sleep(WARM_UP_NANOS / 1_000_000 + 3_000);
            long compactStart = (System.nanoTime() - start) / 1_000_000;
            store.compactAll();
            long compactEnd = (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(3_000);
            stop.set(true);
            reader.join();
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
                w.println("t_ms,gets,p50_us,p99_us,max_us,phase");
                for (long[] win : windows) {
                    String phase = win[0] + 100 <= compactStart ? "before" : win[0] >= compactEnd ? "after" : "during";
                    w.printf(
                            Locale.ROOT,
                            "%d,%d,%.1f,%.1f,%.1f,%s%n",
                            win[0],
                            win[1],
                            win[2] / 1e3,
                            win[3] / 1e3,
                            win[4] / 1e3,
                            phase);
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "compactAll from %d ms to %d ms; %d windows; levels after: %s%n",
                    compactStart,
                    compactEnd,
                    windows.size(),
                    java.util.Arrays.toString(store.stats().filesPerLevel()));
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
    }
}
