package dev.storagelab.lsm.bench;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.Block;
import dev.storagelab.lsm.BlockBuilder;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.testkit.AnswerCheck;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
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
 * One point lookup in an open block of internal keys (lab-05 T2): a seek to {@code (key, snapshot)}
 * (binary search over the restart keys, then a scan of at most one restart interval) and a check
 * that it landed on the key. This is the work a get does once the block is in the cache, and the
 * thing lab-01's whole-block decode made 2.8 times the block's size in garbage for.
 *
 * <p>{@code entries} keys of 16 bytes with 100-byte values (a 4 KiB block holds about 30; the
 * larger sizes show the logarithmic restart search), one version each, restart interval 16.
 * Every seek is checked ({@link #checked}).
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
    }

    @Benchmark
    public byte[] get() throws CorruptionException {
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
