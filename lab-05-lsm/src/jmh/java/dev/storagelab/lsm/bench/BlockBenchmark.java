package dev.storagelab.lsm.bench;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.Block;
import dev.storagelab.lsm.BlockBuilder;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.KeyOrder;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.testkit.AnswerCheck;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * One point lookup in an open block of internal keys (lab-05 T2): a seek to {@code (key, snapshot)}
 * (binary search over the restart keys, then a scan of at most one restart interval) and a check
 * that it landed on the key. This is the work a get does once the block is in the cache, and the
 * thing lab-01's whole-block decode made 2.8 times the block's size in garbage for.
 *
 * <p>{@code entries} keys of 16 bytes with 100-byte values (a 4 KiB block holds about 30; the
 * larger sizes show the logarithmic restart search), one version each, restart interval 16.
 * Every seek is checked ({@link #checked}).
 *
 * <p>The work the lab teaches to save is the keys a seek compares: the trial's setup runs a
 * counting pass ({@link #countSeekComparisons}), the same entries built into a block ordered by a
 * {@link SecretOrder} (a key order drawn from the run's secret seed, which lab code can follow only
 * by calling it, and which counts the calls), the block opened, each probe's key sought once, and
 * {@link Work} reports the comparisons the build, the open and the seeks made, per seek: about
 * {@code log2(restarts)} for the binary search over the restart keys and half a restart interval
 * for the scan after it, where a scan from the first entry makes half the block's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BlockBenchmark {

    private static final int PROBES = 1 << 12;

    @Param({"32", "4096"})
    public int entries;

    Block block;
    byte[][] seekKeys;
    private byte[][] userKeys;
    /** The value and the sequence number written for each probe's key. */
    private byte[][] values;

    private long[] sequences;
    private int next;

    /** The counting pass's seeks and the comparisons they made ({@link #countSeekComparisons}). */
    long countedSeeks;

    long countedComparisons;

    private static byte[] userKey(int i) {
        return String.format("key%013d", i).getBytes(StandardCharsets.US_ASCII);
    }

    @Setup
    public void build() throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(InternalKey.ORDER);
        Random random = new Random(42);
        byte[] value = new byte[100];
        byte[][] written = new byte[entries][];
        for (int i = 0; i < entries; i++) {
            random.nextBytes(value);
            written[i] = value.clone();
            builder.add(new InternalKey(Bytes.wrap(userKey(i)), i + 1, ValueType.PUT).encode(), value);
        }
        block = Block.open(builder.finish(), InternalKey.ORDER, "bench.sst", 0);
        seekKeys = new byte[PROBES][];
        userKeys = new byte[PROBES][];
        values = new byte[PROBES][];
        sequences = new long[PROBES];
        for (int i = 0; i < PROBES; i++) {
            int k = random.nextInt(entries);
            userKeys[i] = userKey(k);
            values[i] = written[k];
            sequences[i] = k + 1;
            seekKeys[i] = InternalKey.seekKey(Bytes.wrap(userKeys[i]), InternalKey.MAX_SEQUENCE)
                    .encode();
        }
        countSeekComparisons(written);
    }

    /**
     * A key order lab code cannot know: unsigned bytes compared after an exclusive or with a mask
     * drawn from the run's seed ({@link AnswerCheck#seed}, a secret the grader gives both sides),
     * counting every comparison. A block ordered by it can be sought only through its
     * {@link #compare}, so the count is every key the seek looked at.
     */
    static final class SecretOrder implements KeyOrder {
        private final byte[] mask = new byte[64];
        long comparisons;

        SecretOrder(long seed) {
            new Random(seed).nextBytes(mask);
        }

        @Override
        public int compare(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
            comparisons++;
            int n = Math.min(aLength, bLength);
            for (int i = 0; i < n; i++) {
                int m = mask[i % mask.length];
                int x = (a[aOffset + i] ^ m) & 0xff;
                int y = (b[bOffset + i] ^ m) & 0xff;
                if (x != y) {
                    return x - y;
                }
            }
            return aLength - bLength;
        }
    }

    /**
     * The counting pass: the block's entries ({@code written}, entry {@code i} being key {@code i}
     * with sequence {@code i + 1}) built into a block ordered by a {@link SecretOrder}, the block
     * opened, and each probe's entry sought by its exact internal key, the landing checked; the
     * comparisons of the build, the open and the seeks are counted, so none a block spends when it
     * is built or opened to spare its seeks leaves the count. The same block and the same seeks, so
     * the same count, for both sides of a run.
     */
    void countSeekComparisons(byte[][] written) throws CorruptionException {
        SecretOrder order = new SecretOrder(AnswerCheck.seed());
        byte[][] keys = new byte[entries][];
        Integer[] sorted = new Integer[entries];
        for (int i = 0; i < entries; i++) {
            keys[i] = new InternalKey(Bytes.wrap(userKey(i)), i + 1, ValueType.PUT).encode();
            sorted[i] = i;
        }
        Arrays.sort(sorted, (x, y) -> order.compare(keys[x], keys[y]));
        long before = order.comparisons; // the benchmark's sort's, not the block's
        BlockBuilder builder = new BlockBuilder(order);
        for (int i : sorted) {
            builder.add(keys[i], written[i]);
        }
        Block secret = Block.open(builder.finish(), order, "bench-secret.sst", 0);
        Random random = new Random(AnswerCheck.seed() + 1);
        for (int n = 0; n < PROBES; n++) {
            int k = random.nextInt(entries);
            Block.Cursor cursor = secret.cursor();
            cursor.seek(keys[k]);
            AnswerCheck.require(
                    cursor.valid() && Arrays.equals(cursor.key(), keys[k]) && Arrays.equals(cursor.value(), written[k]),
                    () -> "seek(" + Bytes.wrap(userKey(k)) + " #" + (k + 1) + ") in a block of " + entries
                            + " entries did not land on that entry, which the block holds");
        }
        countedSeeks = PROBES;
        countedComparisons = order.comparisons - before;
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code comparisons / seeks} is the count per seek); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long seeks;
        public long comparisons;

        @TearDown(Level.Iteration)
        public void report(BlockBenchmark bench) {
            seeks = bench.countedSeeks;
            comparisons = bench.countedComparisons;
        }
    }

    @Benchmark
    public byte[] get(Work work) throws CorruptionException {
        int n = next++;
        int i = n & (PROBES - 1);
        Block.Cursor cursor = block.cursor();
        cursor.seek(seekKeys[i]);
        return checked(n, i, cursor.key(), cursor.value());
    }

    /**
     * {@code value}, where the seek for probe {@code i} (operation {@code n}) landed, if the entry is
     * the probe's. Exact: a seek to {@code (key, MAX_SEQUENCE)} lands on the newest version of the
     * key, and the block holds one, a put with sequence number {@code k + 1}. The user key is
     * compared on every seek (as before these checks); the sequence number, the type and the 100
     * value bytes on the sample ({@link AnswerCheck#sampled}).
     */
    byte[] checked(int n, int i, byte[] key, byte[] value) throws CorruptionException {
        InternalKey found = InternalKey.decode(key, 0, key.length, "bench.sst", 0);
        AnswerCheck.require(
                found.userKey().compareTo(userKeys[i], 0, userKeys[i].length) == 0,
                () -> "seek(" + Bytes.wrap(userKeys[i]) + ") landed on the key " + found.userKey()
                        + "; the block holds the key");
        if (AnswerCheck.sampled(n)) {
            AnswerCheck.require(
                    found.sequence() == sequences[i]
                            && found.type() == ValueType.PUT
                            && Arrays.equals(value, values[i]),
                    () -> "seek(" + Bytes.wrap(userKeys[i]) + ") landed on " + found.type() + " #" + found.sequence()
                            + (Arrays.equals(value, values[i]) ? "" : " with a value other than the one written")
                            + "; the block holds one version of the key, PUT #" + sequences[i]);
        }
        return value;
    }
}
