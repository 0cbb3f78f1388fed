package dev.storagelab.lsm.bench;

import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.BloomFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Bloom filter probe for an absent key (lab-05 T3): the work a get pays to skip a table that
 * cannot hold its key, instead of reading a data block. {@code keys} keys at 10 bits per key; the
 * probes are keys never added, so about 0.8% of them answer "maybe" (counted in
 * {@link Outcomes#maybe}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BloomBenchmark {

    private static final int PROBES = 1 << 14;

    @Param({"100000"})
    public int keys;

    private BloomFilter filter;
    private byte[][] absent;
    private int next;

    private static byte[] key(int i) {
        return String.format("user%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    /** How many probes answered "maybe" and how many "no" in the measured iterations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Outcomes {
        public long maybe;
        public long no;

        @Setup(Level.Iteration)
        public void clear() {
            maybe = 0;
            no = 0;
        }
    }

    @Setup
    public void build() throws CorruptionException {
        List<byte[]> added = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++) {
            added.add(key(i));
        }
        filter = BloomFilter.open(BloomFilter.build(added, 10), "bench.sst", 0);
        absent = new byte[PROBES][];
        for (int i = 0; i < PROBES; i++) {
            absent[i] = key(keys + i * 7919);
        }
    }

    @Benchmark
    public boolean mayContain(Outcomes outcomes) {
        boolean maybe = filter.mayContain(absent[next++ & (PROBES - 1)]);
        if (maybe) {
            outcomes.maybe++;
        } else {
            outcomes.no++;
        }
        return maybe;
    }
}
