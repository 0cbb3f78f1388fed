package dev.storagelab.hybrid.compaction.bench;

import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost adaptive compaction adds (lab-07 T8): {@code recordWrite}, which every write of an
 * LSM-routed key pays on the request thread (a range lookup, three decays, a classification), and
 * {@code pick} over a version of {@code compactionTables} tables in {@code compactionRanges} ranges, which the
 * compaction thread pays after every flush and compaction (a restricted view per range).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AdaptiveCompactionBenchmark {

    @Param({"8"})
    public int compactionRanges;

    @Param({"200"})
    public int compactionTables;

    private AdaptiveCompaction policy;
    private Version version;
    private Bytes[] keys;
    private int next;
    private final LsmOptions options = LsmOptions.tiny(); // level 0 compacts at 2 tables: every range has work
    private final InternalKey[] pointers = new InternalKey[Version.NUM_LEVELS];

    private static Bytes key(int range, int i) {
        return Bytes.of(String.format("%02d-%08d", range, i));
    }

    @Setup
    public void setup() {
        List<Bytes> boundaries = new ArrayList<>();
        for (int r = 1; r < compactionRanges; r++) {
            boundaries.add(Bytes.of(String.format("%02d-", r)));
        }
        policy = new AdaptiveCompaction(boundaries, new TimeWindowCompaction(KeyTime.bigEndianAt(3), 1 << 20));
        VersionEdit edit = new VersionEdit();
        int perRange = Math.max(1, compactionTables / compactionRanges);
        long number = 1;
        for (int r = 0; r < compactionRanges; r++) {
            for (int t = 0; t < perRange; t++) {
                int level = t < 2 ? 0 : 1 + t % 5;
                int lo = level == 0 ? t * 1000 : (t * 7919 % 997) * 100_000 + level;
                edit.addFile(
                        level,
                        new FileMeta(
                                number,
                                2 << 20,
                                new InternalKey(key(r, level == 0 ? 0 : lo), number, ValueType.PUT),
                                new InternalKey(key(r, level == 0 ? 99_999_999 : lo + 50_000), number, ValueType.PUT)));
                number++;
            }
        }
        version = Version.empty().apply(edit);
        keys = new Bytes[4096];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(i % compactionRanges, i * 31);
        }
    }

    @Benchmark
    public int recordWrite() {
        Bytes k = keys[next++ & (keys.length - 1)];
        policy.recordWrite(k);
        return k.length();
    }

    @Benchmark
    public Compaction pick() {
        Compaction c = policy.pick(version, options, pointers);
        if (c == null) {
            throw new IllegalStateException(
                    "the benchmark's version needs a compaction: each range has two level-0 tables");
        }
        return c;
    }
}
