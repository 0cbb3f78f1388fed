package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.CorruptionException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T5, the block cache: {@link BlockCache}'s shard LRU (get moves a block to the
 * front, put charges its bytes and evicts from the back) and {@link BlockCache#evictFile}. Most
 * tests use one shard, where the LRU order is the whole cache's.
 */
class BlockCacheTest {

    /** A valid block of exactly {@code size} bytes (at least 13): zero bytes of entries, one restart. */
    static Block blockOfSize(int size) throws CorruptionException {
        byte[] contents = new byte[size - BlockFormat.TRAILER_BYTES];
        int restartsAt = contents.length - 2 * BlockFormat.RESTART_BYTES;
        BlockFormat.putInt(contents, restartsAt, 0);
        BlockFormat.putInt(contents, restartsAt + BlockFormat.RESTART_BYTES, 1);
        return Block.open(TableFormat.seal(contents), KeyOrder.BYTEWISE, "t.sst", 0);
    }

    @Test
    void aBlockPutIsFoundAgainAndCountedAsAHit() throws CorruptionException {
        BlockCache cache = new BlockCache(10_000);
        Block b = blockOfSize(100);
        assertThat("an empty cache misses", cache.get(1, 0), nullValue());
        cache.put(1, 0, b);
        assertThat(
                "the same block object comes back: blocks are immutable and shared", cache.get(1, 0), sameInstance(b));
        assertThat("another offset of the same file is another block", cache.get(1, 100), nullValue());
        assertThat("the same offset of another file is another block", cache.get(2, 0), nullValue());
        assertThat(cache.stats(), equalTo(new BlockCache.Stats(1, 3, 1, 0)));
        assertThat("a block is charged its size", cache.usedBytes(), equalTo(100L));
    }

    @Test
    void theLeastRecentlyUsedBlockIsEvictedFirst() throws CorruptionException {
        BlockCache cache = new BlockCache(300, 1);
        cache.put(1, 0, blockOfSize(100));
        cache.put(1, 100, blockOfSize(100));
        cache.put(1, 200, blockOfSize(100));
        cache.get(1, 0); // now 100 is the least recently used
        cache.put(1, 300, blockOfSize(100));
        assertThat("block 100 was used least recently: evicted", cache.get(1, 100), nullValue());
        assertThat(
                "block 0 was read after 100 and 200 were put: a get makes a block recent",
                cache.get(1, 0),
                notNullValue());
        assertThat(cache.get(1, 200), notNullValue());
        assertThat(cache.get(1, 300), notNullValue());
        assertThat(cache.stats().evictions(), equalTo(1L));
    }

    @Test
    void theCapacityIsNeverExceeded() throws CorruptionException {
        BlockCache cache = new BlockCache(4096, 4);
        for (int i = 0; i < 500; i++) {
            cache.put(i % 7, i * 1000L, blockOfSize(13 + (i * 37) % 600));
            assertThat(
                    "after put " + i + ": the charge stays within the capacity, shard by shard",
                    cache.usedBytes(),
                    lessThanOrEqualTo(4096L));
        }
    }

    @Test
    void aBlockLargerThanItsShardIsNotCached() throws CorruptionException {
        BlockCache cache = new BlockCache(1000, 4);
        cache.put(1, 0, blockOfSize(200));
        cache.put(1, 4096, blockOfSize(251));
        assertThat(
                "each of 4 shards holds 250 bytes: a 251-byte block would evict everything and still not fit",
                cache.get(1, 4096),
                nullValue());
    }

    @Test
    void replacingABlockChargesOnlyTheNewOne() throws CorruptionException {
        BlockCache cache = new BlockCache(1000, 1);
        cache.put(1, 0, blockOfSize(100));
        Block newer = blockOfSize(300);
        cache.put(1, 0, newer);
        assertThat(cache.usedBytes(), equalTo(300L));
        assertThat(cache.size(), equalTo(1));
        assertThat(cache.get(1, 0), sameInstance(newer));
    }

    @Test
    void evictFileDropsEveryBlockOfThatFileAndNoOther() throws CorruptionException {
        BlockCache cache = new BlockCache(1 << 20);
        for (int i = 0; i < 50; i++) {
            cache.put(7, i * 4096L, blockOfSize(64));
            cache.put(8, i * 4096L, blockOfSize(64));
        }
        cache.evictFile(7);
        for (int i = 0; i < 50; i++) {
            assertThat("block " + i + " of the deleted table", cache.get(7, i * 4096L), nullValue());
            assertThat("block " + i + " of another table", cache.get(8, i * 4096L), notNullValue());
        }
        assertThat("the deleted table's blocks are no longer charged", cache.usedBytes(), equalTo(50L * 64));
        assertThat(
                "evictFile is not counted as evictions for lack of room",
                cache.stats().evictions(),
                equalTo(0L));
    }

    @Test
    void shardsArePowersOfTwoAndSpreadAFilesBlocks() throws CorruptionException {
        assertThrows(IllegalArgumentException.class, () -> new BlockCache(1000, 3));
        assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1));
        BlockCache cache = new BlockCache(1 << 20);
        int[] perShard = new int[cache.shards()];
        for (int i = 0; i < 1600; i++) {
            perShard[cache.shardIndex(42, i * 4096L)]++;
        }
        assertThat(
                "1,600 consecutive blocks of one file over 16 shards: " + Arrays.toString(perShard),
                Arrays.stream(perShard).min().getAsInt() > 50,
                is(true));
        cache.put(42, 0, blockOfSize(100));
        assertThat("a block put in its shard is found there", cache.get(42, 0) != null, is(true));
    }
}
