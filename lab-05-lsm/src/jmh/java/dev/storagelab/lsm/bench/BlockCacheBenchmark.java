package dev.storagelab.lsm.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.Block;
import dev.storagelab.lsm.BlockCache;
import dev.storagelab.lsm.BlockFormat;
import dev.storagelab.lsm.KeyOrder;
import dev.storagelab.lsm.TableFormat;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A block cache lookup from 4 threads at once (lab-05 T5), a miss followed by an insert: the
 * students' {@link BlockCache} with 16 shards ({@code impl=sharded}), the same with one shard and
 * so one lock ({@code impl=oneShard}), and Caffeine weighed by block size ({@code impl=caffeine}),
 * the production peer. {@code blocks} blocks of 4 KiB are asked uniformly at random from a cache
 * that holds 80% of them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(4)
@State(Scope.Benchmark)
public class BlockCacheBenchmark {

    @Param({"sharded", "oneShard", "caffeine"})
    public String impl;

    @Param({"4096"})
    public int blocks;

    private Block block;
    private BlockCache students;
    private Cache<Long, Block> caffeine;

    /** The state of one benchmark thread: its own random numbers. */
    @State(Scope.Thread)
    public static class Probe {
        final SplittableRandom random =
                new SplittableRandom(Thread.currentThread().getId());
    }

    @Setup
    public void build() throws CorruptionException {
        byte[] contents = new byte[4096 - BlockFormat.TRAILER_BYTES];
        contents[contents.length - 1] = 1; // restart[0] = 0, one restart
        block = Block.open(TableFormat.seal(contents), KeyOrder.BYTEWISE, "bench.sst", 0);
        long capacity = (long) blocks * 4096 * 8 / 10;
        switch (impl) {
            case "sharded" -> students = new BlockCache(capacity, BlockCache.DEFAULT_SHARDS);
            case "oneShard" -> students = new BlockCache(capacity, 1);
            case "caffeine" ->
                caffeine = Caffeine.newBuilder()
                        .maximumWeight(capacity)
                        .weigher((Long k, Block b) -> b.sizeBytes())
                        .executor(Runnable::run)
                        .build();
            default -> throw new IllegalArgumentException("impl: " + impl);
        }
    }

    @Benchmark
    public Block getOrInsert(Probe probe) {
        int i = probe.random.nextInt(blocks);
        long file = i & 7;
        long offset = (long) (i >>> 3) * 4096;
        if (caffeine != null) {
            Long key = file << 40 | offset;
            Block b = caffeine.getIfPresent(key);
            if (b == null) {
                caffeine.put(key, block);
                b = block;
            }
            return b;
        }
        Block b = students.get(file, offset);
        if (b == null) {
            students.put(file, offset, block);
            b = block;
        }
        return b;
    }
}
