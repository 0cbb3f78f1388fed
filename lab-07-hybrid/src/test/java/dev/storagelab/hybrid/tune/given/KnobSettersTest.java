package dev.storagelab.hybrid.tune.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.Router;
import dev.storagelab.hybrid.cache.ArcPolicy;
import dev.storagelab.hybrid.cache.LfuPolicy;
import dev.storagelab.hybrid.cache.LruPolicy;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The runtime knobs the tuner turns (given code, lab-07 T10): resizing the policies and the
 * write-back cache, the router's hysteresis, the store's sampling, pinning a range's compaction style.
 */
class KnobSettersTest {

    @Test
    void lruAndLfuShrinkByEvictingWhatAMissWould() {
        LruPolicy<Integer> lru = new LruPolicy<>(4);
        for (int k = 1; k <= 4; k++) {
            lru.reference(k, x -> {});
        }
        lru.reference(1, x -> {});
        List<Integer> evicted = new ArrayList<>();
        lru.resize(2, evicted::add);
        assertThat("least recently used first", evicted, contains(2, 3));
        assertThat(lru.capacity(), equalTo(2));
        assertThrows(IllegalArgumentException.class, () -> lru.resize(0, x -> {}));
        LfuPolicy<Integer> lfu = new LfuPolicy<>(3);
        lfu.reference(1, x -> {});
        lfu.reference(1, x -> {});
        lfu.reference(2, x -> {});
        lfu.reference(3, x -> {});
        List<Integer> gone = new ArrayList<>();
        lfu.resize(1, gone::add);
        assertThat("the least frequent, least recent first", gone, contains(2, 3));
        assertThat(lfu.size(), equalTo(1));
    }

    @Test
    void arcKeepsItsInvariantsThroughResizes() {
        ArcPolicy<Integer> arc = new ArcPolicy<>(64);
        SplittableRandom random = new SplittableRandom(9);
        int[] sizes = {64, 16, 80, 8, 1, 33};
        for (int round = 0; round < 60; round++) {
            for (int i = 0; i < 200; i++) {
                int key = (int) (Math.pow(random.nextDouble(), 2) * 300);
                arc.reference(key, x -> {});
            }
            int c = sizes[round % sizes.length];
            List<Integer> evicted = new ArrayList<>();
            int before = arc.size();
            arc.resize(c, evicted::add);
            assertThat(arc.capacity(), equalTo(c));
            assertThat(arc.size(), equalTo(Math.min(before, c)));
            assertThat(evicted.size(), equalTo(before - arc.size()));
            assertThat(arc.t1Size() + arc.b1Size(), lessThanOrEqualTo(c));
            assertThat(arc.t1Size() + arc.t2Size() + arc.b1Size() + arc.b2Size(), lessThanOrEqualTo(2 * c));
            assertThat(arc.target(), lessThanOrEqualTo(c));
        }
    }

    @Test
    void aShrunkCacheWritesItsEvictedDirtyEntriesAndFlushesPastTheNewLimit() throws IOException {
        List<List<Entry>> batches = new ArrayList<>();
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(8), 8, batches::add);
        for (int i = 0; i < 6; i++) {
            cache.write(Entry.put(Bytes.of("k" + i), Bytes.of("v" + i)));
        }
        cache.resize(4, 1);
        assertThat(cache.capacity(), equalTo(4));
        assertThat(cache.maxDirty(), equalTo(1));
        assertThat("the two evicted dirty entries as one batch, then a flush of the rest", batches.size(), equalTo(2));
        assertThat(batches.get(0).size(), equalTo(2));
        assertThat(cache.dirtyCount(), equalTo(0));
        assertThat(cache.size(), equalTo(4));
        assertThat(cache.get(Bytes.of("k5")).value(), equalTo(Optional.of(Bytes.of("v5"))));
    }

    @Test
    void routerStoreAndCompactionKnobsChangeAtRunTime() throws IOException {
        Router router = new Router(Hybrids.READS_DECIDE, 0.25, Duration.ZERO, 4);
        router.setHysteresis(0.5);
        router.setPaybackWindows(8);
        assertThat(router.hysteresis(), equalTo(0.5));
        assertThat(router.paybackWindows(), equalTo(8.0));
        assertThrows(IllegalArgumentException.class, () -> router.setHysteresis(1));
        try (HybridStore store = HybridStore.open(
                new FaultInjectingStorage(1), Hybrids.options(new FakeTicker()).build())) {
            store.setConsiderEvery(16);
            assertThat(store.considerEvery(), equalTo(16));
            assertThrows(IllegalArgumentException.class, () -> store.setConsiderEvery(0));
        }
        AdaptiveCompaction c = new AdaptiveCompaction(
                List.of(Bytes.of("m")),
                new TimeWindowCompaction(KeyTime.bigEndianAt(1), 10),
                AdaptiveCompaction.Settings.defaults().withDwell(0));
        c.pin(0, Style.TIERED);
        for (int i = 0; i < 1_000; i++) {
            c.recordRead(Bytes.of("a" + i)); // reads alone would make it leveled
        }
        assertThat("pinned", c.styleOf(0), equalTo(Style.TIERED));
        assertThat(c.pinnedStyle(0), equalTo(Style.TIERED));
        c.unpin(0);
        c.recordRead(Bytes.of("b"));
        assertThat("unpinned, the classification decides again", c.styleOf(0), equalTo(Style.LEVELED));
    }
}
