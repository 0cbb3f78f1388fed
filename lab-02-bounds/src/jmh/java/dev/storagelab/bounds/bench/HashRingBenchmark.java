package dev.storagelab.bounds.bench;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.storagelab.bounds.HashRing;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.BenchData;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * What routing one key costs on a consistent-hash ring ({@link HashRing#owner}): hash the key
 * (murmur3, 128 bits, the first 64 used), then binary-search the sorted ring of
 * {@code nodes × virtualNodes} positions for its successor. {@link #hashOnly} measures the hash
 * alone, so the difference is the search: it should grow with log₂ of the ring size, and with
 * cache misses once the ring outgrows the caches (1000 × 200 positions are 1.6 MB of longs).
 *
 * <p>Nodes are named {@code node-0}, {@code node-1}, ...; probes are random 16-byte keys.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HashRingBenchmark {

    /** Power of two, so a probe index wraps with a mask. */
    private static final int PROBES = 1 << 14;

    private static final HashFunction MURMUR = Hashing.murmur3_128();

    @Param({"10", "100", "1000"})
    public int nodes;

    @Param({"100", "200"})
    public int virtualNodes;

    private HashRing ring;
    private Bytes[] probes;

    @Setup(Level.Trial)
    public void build() {
        ring = new HashRing(virtualNodes);
        for (int i = 0; i < nodes; i++) {
            ring.addNode("node-" + i);
        }
        Random random = new Random(BenchData.SEED);
        probes = new Bytes[PROBES];
        for (int i = 0; i < PROBES; i++) {
            byte[] key = new byte[BenchData.KEY_BYTES];
            random.nextBytes(key);
            probes[i] = Bytes.wrap(key);
        }
    }

    /** Which probe the next call uses; per thread, so threads do not share a counter. */
    @State(Scope.Thread)
    public static class Probe {
        int next;

        int advance() {
            return next++ & (PROBES - 1);
        }
    }

    @Benchmark
    public String owner(Probe p) {
        return ring.owner(probes[p.advance()]);
    }

    /** The key's hash alone, as {@link HashRing} computes it: the part of {@link #owner} that is not the search. */
    @Benchmark
    public long hashOnly(Probe p) {
        return MURMUR.hashBytes(probes[p.advance()].toByteArray()).asLong();
    }
}
