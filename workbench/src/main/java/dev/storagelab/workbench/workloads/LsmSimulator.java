package dev.storagelab.workbench.workloads;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.io.PrintStream;
import java.util.BitSet;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * A compaction simulator (in the spirit of mini-lsm's): the lab-05 store's own code, leveled or
 * size-tiered, run over an in-memory storage with the sizes scaled down (16 KiB memtables, a
 * 64 KiB level 1, 16 KiB tables), flushes and compactions on the writing thread. No disk, no
 * timing: only the tree's shape as the writes go in, and the amplification the policy causes,
 * which scale with the ratios of the sizes, not the sizes themselves. Seeded and repeatable.
 *
 * <p>{@link Sizes#REAL} runs the store's default sizes instead (4 MiB memtables, a 10 MiB level
 * 1, 2 MiB tables of 4 KiB blocks): the same tree as a workbench run of the same keys and writes,
 * one level shallower than the scaled-down one, to compare with it (a million writes take about
 * ten seconds and hold the live tables in memory). What still differs from a run on disk is the
 * timing: here every flush and compaction finishes before the next write, so level 0 never holds
 * more than its trigger and a compaction never merges a backlog.
 */
public final class LsmSimulator {

    /** The write pattern. */
    public enum Pattern {
        UNIFORM,
        ZIPFIAN,
        SEQUENTIAL
    }

    /** The sizes of the tree. */
    public enum Sizes {
        /** 16 KiB memtables, a 64 KiB level 1, 16 KiB tables of 1 KiB blocks. */
        SCALED,
        /** {@link LsmOptions#defaults()}: 4 MiB memtables, a 10 MiB level 1, 2 MiB tables of 4 KiB blocks. */
        REAL
    }

    private LsmSimulator() {}

    /**
     * Writes {@code writes} puts of {@code valueBytes}-byte values over {@code keys} keys chosen by
     * {@code pattern}, printing the levels {@code reports} times along the way and the totals at
     * the end.
     *
     * @param ratio     the level multiplier (leveled)
     * @param sizeRatio how much larger than the newer runs a run may be and still join them (tiered)
     * @return the final write amplification (bytes written to logs and tables per user byte)
     */
    public static double run(
            LsmOptions.CompactionStyle policy,
            int ratio,
            double sizeRatio,
            long keys,
            long writes,
            Pattern pattern,
            int valueBytes,
            int reports,
            long seed,
            PrintStream out)
            throws IOException {
        return run(policy, ratio, sizeRatio, keys, writes, pattern, valueBytes, reports, seed, Sizes.SCALED, out);
    }

    /** {@link #run(LsmOptions.CompactionStyle, int, double, long, long, Pattern, int, int, long, PrintStream)} at {@code sizes}. */
    public static double run(
            LsmOptions.CompactionStyle policy,
            int ratio,
            double sizeRatio,
            long keys,
            long writes,
            Pattern pattern,
            int valueBytes,
            int reports,
            long seed,
            Sizes sizes,
            PrintStream out)
            throws IOException {
        LsmOptions.Builder b = new LsmOptions.Builder();
        if (sizes == Sizes.SCALED) {
            b.memtableBytes = 16 << 10;
            b.level1Bytes = 64 << 10;
            b.tableBytes = 16 << 10;
            b.blockBytes = 1024;
        }
        b.levelMultiplier = Math.max(2, ratio);
        b.blockCacheBytes = 0;
        b.backgroundWork = false;
        b.compaction = policy;
        b.tierSizeRatio = Math.max(1, sizeRatio);
        LsmOptions options = b.build();
        UniformRandomProvider rng = RandomSource.SPLIT_MIX_64.create(seed);
        KeyChooser chooser = switch (pattern) {
            case UNIFORM -> KeyChooser.uniform(rng);
            case ZIPFIAN -> KeyChooser.scrambledZipfian(rng, 0.99);
            case SEQUENTIAL -> null;
        };
        byte[] value = new byte[valueBytes];
        BitSet live = new BitSet();
        out.printf(
                Locale.ROOT,
                "lsm-sim: %s, %s, %,d keys, %,d writes (%s), %d-byte values; "
                        + "memtable %s, level 1 %s, tables %s, level-0 trigger %d%n",
                policy.name().toLowerCase(Locale.ROOT),
                policy == LsmOptions.CompactionStyle.LEVELED ? "ratio " + ratio : "size ratio " + sizeRatio,
                keys,
                writes,
                pattern.name().toLowerCase(Locale.ROOT),
                valueBytes,
                size(options.memtableBytes()),
                size(options.level1Bytes()),
                size(options.tableBytes()),
                options.l0CompactionTrigger());
        double writeAmp;
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(seed), options)) {
            long every = Math.max(1, writes / Math.max(1, reports));
            for (long i = 0; i < writes; i++) {
                long k = chooser == null ? i % keys : chooser.next(keys);
                rng.nextBytes(value);
                store.put(Workload.key(k), Bytes.wrap(value.clone()));
                live.set((int) k);
                if ((i + 1) % every == 0 || i + 1 == writes) {
                    report(out, i + 1, store, live.cardinality(), valueBytes);
                }
            }
            LsmStore.Stats s = store.stats();
            long user = s.metrics().userBytesWritten();
            writeAmp = (double) s.metrics().diskBytesWritten() / user;
            out.printf(
                    Locale.ROOT,
                    "totals: user bytes %,d; logs and MANIFEST %,d; flushes %,d; compactions wrote %,d and read %,d"
                            + " (%,d trivial moves)%n",
                    user,
                    s.metrics().diskBytesWritten() - s.flushBytes() - s.compactionBytesWritten(),
                    s.flushBytes(),
                    s.compactionBytesWritten(),
                    s.compactionBytesRead(),
                    s.trivialMoves());
            out.printf(
                    Locale.ROOT,
                    "write amplification %.2f (log + flushes + compactions, per user byte); "
                            + "space amplification %.2f (bytes in tables per live byte)%n",
                    writeAmp,
                    spaceAmp(s, live.cardinality(), valueBytes));
        }
        return writeAmp;
    }

    private static double spaceAmp(LsmStore.Stats s, long liveKeys, int valueBytes) {
        long liveBytes = liveKeys * (Workload.key(0).length() + valueBytes);
        return liveBytes == 0 ? Double.NaN : (double) s.tableBytes() / liveBytes;
    }

    private static void report(PrintStream out, long done, LsmStore store, long liveKeys, int valueBytes) {
        LsmStore.Stats s = store.stats();
        StringBuilder levels = new StringBuilder();
        int runs = 0;
        for (int level = 0; level < s.filesPerLevel().length; level++) {
            if (s.filesPerLevel()[level] == 0) {
                continue;
            }
            runs += level == 0 ? (int) s.filesPerLevel()[0] : 1;
            levels.append(String.format(
                    Locale.ROOT, " L%d: %d (%s)", level, s.filesPerLevel()[level], kib(s.bytesPerLevel()[level])));
        }
        long user = s.metrics().userBytesWritten();
        out.printf(
                Locale.ROOT,
                "%,12d writes:%s | runs %d | write amp %.2f | space amp %.2f%n",
                done,
                levels.length() == 0 ? " (memtable only)" : levels.toString(),
                runs,
                (double) s.metrics().diskBytesWritten() / user,
                spaceAmp(s, liveKeys, valueBytes));
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    private static String kib(long bytes) {
        return bytes < 10 << 20
                ? String.format(Locale.ROOT, "%,dK", bytes >> 10)
                : String.format(Locale.ROOT, "%,dM", bytes >> 20);
    }
}
