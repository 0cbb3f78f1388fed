package dev.storagelab.hybrid.cache.bench;

import dev.storagelab.hybrid.cache.HitRateSimulation;
import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.cache.ReplacementPolicy;
import dev.storagelab.kv.Bytes;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * The replacement policies' hot path (lab-07 T3): {@link ReplacementPolicy#reference} per second
 * for {@code cachePolicy} (arc, lru, lfu) holding {@code cacheEntries} keys, on a Zipfian stream
 * (exponent 0.99) over {@code cacheKeySpace} keys of 16 bytes, the cache warmed by one pass of the
 * stream first. Each reference is a hash lookup or two and a few linked-list moves whatever the
 * capacity (O(1)): ARC does more of them than LRU (four lists, ghost bookkeeping on a miss), LFU
 * about as many (a node move per hit). The stream is 2^20 references, replayed in a loop.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CacheBenchmark {

    private static final int STREAM = 1 << 20;

    @Param({"arc", "lru", "lfu"})
    public String cachePolicy;

    @Param({"10000"})
    public int cacheEntries;

    @Param({"1000000"})
    public int cacheKeySpace;

    private Bytes[] stream;
    private ReplacementPolicy<Bytes> policy;
    private long evictions;
    private long hits;
    private long references;
    private int next;
    private final Consumer<Bytes> onEvicted = k -> evictions++;

    @Setup(Level.Trial)
    public void load() {
        HitRateSimulation.Zipf zipf = new HitRateSimulation.Zipf(cacheKeySpace, 0.99, new SplittableRandom(42));
        Map<Integer, Bytes> keys = new HashMap<>();
        stream = new Bytes[STREAM];
        for (int i = 0; i < STREAM; i++) {
            stream[i] = keys.computeIfAbsent(zipf.next(), r -> Bytes.of(String.format("key%013d", r)));
        }
        policy = ReplacementPolicies.of(cachePolicy, cacheEntries);
        for (Bytes k : stream) {
            policy.reference(k, onEvicted);
        }
    }

    @TearDown(Level.Trial)
    public void check() {
        if (policy.size() > cacheEntries || references == 0 || hits == 0 || hits == references) {
            throw new IllegalStateException(cachePolicy + ": " + hits + " hits in " + references + " references, size "
                    + policy.size() + " of " + cacheEntries + ": not a working cache");
        }
    }

    @Benchmark
    public boolean reference() {
        boolean hit = policy.reference(stream[next++ & (STREAM - 1)], onEvicted);
        references++;
        if (hit) {
            hits++;
        }
        return hit;
    }
}
