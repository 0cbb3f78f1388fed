package dev.storagelab.hybrid;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The store feeds its LSM tree's adaptive compaction (T8) with the reads and writes of the keys
 * routed to it, in arrival order: time-ordered orders and randomly updated stock levels end up
 * with their own styles, and the store still answers as a TreeMap does.
 */
class AdaptiveInStoreTest {

    private static Bytes order(long n) {
        return Bytes.wrap(ByteBuffer.allocate(10)
                .put((byte) 'o')
                .put((byte) '/')
                .putLong(n)
                .array());
    }

    private static Bytes stock(int n) {
        return Bytes.of(String.format("s/%06d", n));
    }

    @Test
    void ordersAndStockLevelsGetTheirOwnCompactionStyles() throws IOException {
        HybridOptions options = Hybrids.options(new FakeTicker())
                .cache("arc", 64)
                .maxDirtyEntries(32)
                .costModel((p, s) -> p == Placement.HOT ? 10 : 1) // everything stays COLD: this test is about the LSM
                .adaptiveCompaction(() -> new AdaptiveCompaction(
                        List.of(Bytes.of("p"), Bytes.of("s/")),
                        new TimeWindowCompaction(KeyTime.bigEndianAt(2), 1_000)))
                .build();
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        SplittableRandom random = new SplittableRandom(3);
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(1), options)) {
            for (int i = 0; i < 6_000; i++) {
                Bytes o = order(i);
                store.put(o, Bytes.of("order " + i));
                model.put(o, Bytes.of("order " + i));
                Bytes s = stock(random.nextInt(500));
                store.put(s, Bytes.of("stock " + i));
                model.put(s, Bytes.of("stock " + i));
            }
            AdaptiveCompaction policy = store.adaptiveCompaction();
            assertThat(policy.styleOf(policy.rangeOf(order(0))), equalTo(AdaptiveCompaction.Style.TIME_WINDOW));
            assertThat(policy.styleOf(policy.rangeOf(stock(0))), equalTo(AdaptiveCompaction.Style.TIERED));
            store.checkpoint();
            for (int i = 0; i < 6_000; i += 97) {
                assertThat(store.get(order(i)), equalTo(Optional.of(model.get(order(i)))));
            }
            List<Entry> scanned = new ArrayList<>();
            try (EntryIterator it = store.scan(null, null)) {
                it.forEachRemaining(scanned::add);
            }
            List<Entry> expected = new ArrayList<>();
            model.forEach((k, v) -> expected.add(Entry.put(k, v)));
            assertThat(scanned, equalTo(expected));
        }
    }

    @Test
    void scansOfARangeLevelItAgain() throws IOException {
        HybridOptions options = Hybrids.options(new FakeTicker())
                .costModel((p, s) -> p == Placement.HOT ? 10 : 1)
                .adaptiveCompaction(() -> new AdaptiveCompaction(
                        List.of(Bytes.of("p"), Bytes.of("s/")),
                        new TimeWindowCompaction(KeyTime.bigEndianAt(2), 1_000)))
                .build();
        SplittableRandom random = new SplittableRandom(4);
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(2), options)) {
            AdaptiveCompaction policy = store.adaptiveCompaction();
            int range = policy.rangeOf(stock(0));
            for (int i = 0; i < 3_000; i++) {
                store.put(stock(random.nextInt(500)), Bytes.of("stock " + i));
            }
            assertThat("updates in no order", policy.styleOf(range), equalTo(AdaptiveCompaction.Style.TIERED));
            for (int i = 0; i < 3_000; i++) {
                store.put(stock(random.nextInt(500)), Bytes.of("stock " + i));
                if (i % 2 == 0) {
                    // a scan of 10 entries for two writes: as one read, the range would stay write-heavy
                    try (EntryIterator it = store.scan(stock(random.nextInt(490)), null)) {
                        for (int n = 0; n < 10 && it.hasNext(); n++) {
                            it.next();
                        }
                    }
                }
            }
            assertThat(
                    "scanned: leveled (" + policy.stats(range) + ")",
                    policy.styleOf(range),
                    equalTo(AdaptiveCompaction.Style.LEVELED));
        }
    }
}
