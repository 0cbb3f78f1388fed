package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.Block;
import dev.storagelab.lsm.BlockCache;
import dev.storagelab.lsm.BlockFormat;
import dev.storagelab.lsm.KeyOrder;
import dev.storagelab.lsm.TableFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the block cache (lab-05 T5): random sequences of gets, puts (new blocks and
 * replacements, of random sizes, some larger than a shard) and file evictions against a
 * {@link LinkedHashMap} in access order with the same eviction rule, for one shard (where the LRU
 * order is the whole cache's); the charge within the capacity after every operation at any shard
 * count; and many threads reading and inserting at once.
 */
@Tag("hidden")
class BlockCacheHiddenTest {

    private static final Map<Integer, Block> BLOCKS = new HashMap<>();

    /** A valid block of exactly {@code size} bytes, shared between calls. */
    static synchronized Block blockOfSize(int size) {
        return BLOCKS.computeIfAbsent(size, s -> {
            byte[] contents = new byte[s - BlockFormat.TRAILER_BYTES];
            int restartsAt = contents.length - 2 * BlockFormat.RESTART_BYTES;
            contents[restartsAt + 2 * BlockFormat.RESTART_BYTES - 1] = 1; // restart[0] = 0, count = 1
            try {
                return Block.open(TableFormat.seal(contents), KeyOrder.BYTEWISE, "c.sst", 0);
            } catch (CorruptionException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** 0: get, 1-2: put, 3: evict file. */
    record Op(int kind, int file, int block, int size) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 12),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(0, 15),
                        Arbitraries.integers().between(13, 700))
                .as((k, f, b, s) -> new Op(k < 6 ? 0 : k < 12 ? 1 : 3, f, b, s))
                .list()
                .ofMaxSize(300);
    }

    record Key(long file, long offset) {}

    @Property(tries = 300)
    @Graded(
            task = "T5",
            points = 5,
            concept =
                    "the block cache evicts the wrong block (not the least recently used: a get does not "
                            + "make a block recent, a replacement is charged twice or not moved) or keeps a block evictFile dropped")
    void oneShardIsAnExactLru(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 3000) int capacity) {
        BlockCache cache = new BlockCache(capacity, 1);
        LinkedHashMap<Key, Integer> model = new LinkedHashMap<>(16, 0.75f, true);
        long used = 0;
        long evictions = 0;
        for (Op op : ops) {
            Key key = new Key(op.file(), op.block() * 4096L);
            switch (op.kind()) {
                case 0 -> {
                    Block got = cache.get(key.file(), key.offset());
                    Integer expected = model.get(key);
                    assertThat("get " + key, got == null ? null : got.sizeBytes(), equalTo(expected));
                }
                case 1 -> {
                    cache.put(key.file(), key.offset(), blockOfSize(op.size()));
                    if (op.size() <= capacity) {
                        Integer old = model.put(key, op.size());
                        used += op.size() - (old == null ? 0 : old);
                        Iterator<Map.Entry<Key, Integer>> it = model.entrySet().iterator();
                        while (used > capacity) {
                            used -= it.next().getValue();
                            it.remove();
                            evictions++;
                        }
                    }
                }
                default -> {
                    cache.evictFile(op.file());
                    Iterator<Map.Entry<Key, Integer>> it = model.entrySet().iterator();
                    while (it.hasNext()) {
                        Map.Entry<Key, Integer> e = it.next();
                        if (e.getKey().file() == op.file()) {
                            used -= e.getValue();
                            it.remove();
                        }
                    }
                }
            }
            assertThat("bytes charged after " + op, cache.usedBytes(), equalTo(used));
            assertThat("blocks cached after " + op, cache.size(), equalTo(model.size()));
            assertThat("evictions counted", cache.stats().evictions(), equalTo(evictions));
        }
        for (Key k : new ArrayList<>(model.keySet())) {
            assertThat("still cached: " + k, cache.get(k.file(), k.offset()), notNullValue());
        }
    }

    @Property(tries = 200)
    @Graded(
            task = "T5",
            points = 3,
            concept = "the block cache holds more bytes than its capacity (a shard over its share, a block "
                    + "larger than a shard cached, a replaced block's bytes never uncharged)")
    void theCapacityHoldsAtAnyShardCount(
            @ForAll("ops") List<Op> ops,
            @ForAll @IntRange(min = 0, max = 5000) int capacity,
            @ForAll @IntRange(min = 0, max = 5) int shardBits) {
        BlockCache cache = new BlockCache(capacity, 1 << shardBits);
        for (Op op : ops) {
            if (op.kind() == 3) {
                cache.evictFile(op.file());
            } else {
                Block block = blockOfSize(op.size());
                cache.put(op.file(), op.block() * 512L, block);
                if (block.sizeBytes() <= capacity >> shardBits) { // within the smallest shard's share: kept
                    assertThat(
                            "after " + op + ", the block just put is cached",
                            cache.get(op.file(), op.block() * 512L),
                            sameInstance(block));
                }
            }
            assertThat("after " + op, cache.usedBytes(), lessThanOrEqualTo((long) capacity));
        }
        long charged = 0;
        for (int f = 1; f <= 3; f++) {
            for (int b = 0; b <= 15; b++) {
                Block got = cache.get(f, b * 512L);
                charged += got == null ? 0 : got.sizeBytes();
            }
        }
        assertThat("the charge is the sum of the cached blocks' sizes", cache.usedBytes(), equalTo(charged));
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "the block cache is not safe for concurrent readers and writers (lost or duplicated "
                    + "entries, a charge that drifts from what is cached, counters that lose gets)")
    void manyThreadsGetAndPutAtOnce() throws Exception {
        BlockCache cache = new BlockCache(200 * 1024, 8);
        int threads = 4;
        int opsPerThread = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> gets = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                gets.add(pool.submit(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    start.await();
                    long n = 0;
                    for (int i = 0; i < opsPerThread; i++) {
                        long file = random.nextInt(4);
                        long offset = random.nextInt(200) * 4096L;
                        int size = 13 + (int) ((file * 131 + offset / 4096 * 17) % 2000);
                        Block b = cache.get(file, offset);
                        n++;
                        if (b == null) {
                            cache.put(file, offset, blockOfSize(size));
                        } else if (b.sizeBytes() != size) {
                            throw new AssertionError("block (" + file + ", " + offset + ") came back as another block");
                        }
                        if (i % 5000 == 4999 && seed == 0) {
                            cache.evictFile(3);
                        }
                    }
                    return n;
                }));
            }
            start.countDown();
            long total = 0;
            for (Future<Long> f : gets) {
                total += f.get();
            }
            BlockCache.Stats s = cache.stats();
            assertThat("every get counted once, as a hit or a miss", s.hits() + s.misses(), equalTo(total));
            assertThat(
                    "a warm cache of 200 KiB over 800 blocks of about 1 KiB hits often",
                    s.hits(),
                    greaterThan(total / 10));
            assertThat(cache.usedBytes(), lessThanOrEqualTo(200L * 1024));
            long charged = 0;
            int count = 0;
            for (long file = 0; file < 4; file++) {
                for (int o = 0; o < 200; o++) {
                    Block b = cache.get(file, o * 4096L);
                    if (b != null) {
                        charged += b.sizeBytes();
                        count++;
                    }
                }
            }
            assertThat("the charge matches the blocks cached", cache.usedBytes(), equalTo(charged));
            assertThat(cache.size(), equalTo(count));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "evictFile leaves blocks of the deleted table in the cache, drops other tables' "
                    + "blocks, or leaves their bytes charged")
    void evictFileOnlyTouchesThatFile() {
        BlockCache cache = new BlockCache(1 << 20, 4);
        for (int f = 0; f < 10; f++) {
            for (int b = 0; b < 40; b++) {
                cache.put(f, b * 4096L, blockOfSize(100 + f));
            }
        }
        cache.evictFile(4);
        cache.evictFile(4);
        cache.evictFile(99);
        for (int f = 0; f < 10; f++) {
            for (int b = 0; b < 40; b++) {
                Block got = cache.get(f, b * 4096L);
                if (f == 4) {
                    assertThat("block " + b + " of the deleted file", got, nullValue());
                } else {
                    assertThat("block " + b + " of file " + f, got, notNullValue());
                }
            }
        }
        long expected = 0;
        for (int f = 0; f < 10; f++) {
            expected += f == 4 ? 0 : 40L * (100 + f);
        }
        assertThat(cache.usedBytes(), equalTo(expected));
        cache.put(4, 0, blockOfSize(100));
        assertThat("a file number may be cached again after evictFile", cache.get(4, 0), notNullValue());
    }

    @Test
    @Graded(
            task = "T5",
            points = 1,
            concept = "the block cache's statistics count a block too large to cache as inserted, or miss "
                    + "the blocks it does cache")
    void insertsCountTheBlocksCachedAndNotThoseRefused() {
        BlockCache cache = new BlockCache(1000, 1);
        cache.put(1, 0, blockOfSize(300));
        cache.put(1, 4096, blockOfSize(300));
        cache.put(1, 0, blockOfSize(400));
        assertThat("two new blocks and a replacement", cache.stats().inserts(), equalTo(3L));
        cache.put(2, 0, blockOfSize(1001));
        assertThat("a block larger than the whole cache is not cached", cache.get(2, 0), nullValue());
        assertThat("nor counted as inserted", cache.stats().inserts(), equalTo(3L));
        assertThat("nor does it evict anything", cache.usedBytes(), equalTo(700L));
    }
}
