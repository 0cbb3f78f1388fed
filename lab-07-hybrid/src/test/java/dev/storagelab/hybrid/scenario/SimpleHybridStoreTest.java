package dev.storagelab.hybrid.scenario;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.SimpleHybridStore;
import dev.storagelab.hybrid.Tier;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The episode's simple engine does what its Javadoc says: the baseline the failure modes run first. */
class SimpleHybridStoreTest {

    private final FakeTicker ticker = new FakeTicker();
    private final FaultInjectingStorage storage = new FaultInjectingStorage();

    private SimpleHybridStore open(SimpleHybridStore.Knobs knobs) throws IOException {
        return SimpleHybridStore.open(storage, ticker, knobs);
    }

    private static Bytes key(int i) {
        return ScenarioData.key("k", i);
    }

    private static Bytes value(int i, int version) {
        return ScenarioData.value(i, version, 100);
    }

    @Test
    void aKeyWithMoreThanAHundredWritesInAPeriodMovesToTheBPlusTree() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withReclassifyProbability(0))) {
            for (int v = 1; v <= 100; v++) {
                s.put(key(1), value(1, v));
            }
            assertThat("100 writes are not more than 100", s.placement(key(1)), equalTo(Placement.COLD));
            s.put(key(1), value(1, 101));
            assertThat("the 101st write promotes", s.placement(key(1)), equalTo(Placement.HOT));
            assertThat(s.stats().migrations(), equalTo(1L));
            assertThat(s.stats().hotKeys(), equalTo(1L));
            assertThat(s.get(key(1)), equalTo(Optional.of(value(1, 101))));
        }
    }

    @Test
    void aKeyWithMoreThanAThousandReadsIsPromotedByTheReadThatCrossesTheThreshold() throws IOException {
        try (SimpleHybridStore s =
                open(SimpleHybridStore.Knobs.defaults().withCacheEntries(0).withReclassifyProbability(0))) {
            s.put(key(7), value(7, 0));
            for (int r = 1; r <= 1000; r++) {
                s.get(key(7));
            }
            assertThat(s.placement(key(7)), equalTo(Placement.COLD));
            assertThat("no cache: a read of a cold key is served by the LSM tree", s.where(key(7)), equalTo(Tier.COLD));
            assertThat(s.get(key(7)), equalTo(Optional.of(value(7, 0))));
            assertThat(s.placement(key(7)), equalTo(Placement.HOT));
            assertThat(s.where(key(7)), equalTo(Tier.HOT));
        }
    }

    @Test
    void countersStartAgainEachPeriodAndARandomRecheckDemotesAKeyWhoseCountersFell() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withReclassifyProbability(1))) {
            for (int v = 1; v <= 101; v++) {
                s.put(key(2), value(2, v));
            }
            assertThat(s.placement(key(2)), equalTo(Placement.HOT));
            s.get(key(2));
            assertThat("within the period its 101 writes still count", s.placement(key(2)), equalTo(Placement.HOT));
            ticker.advance(1, TimeUnit.HOURS);
            s.get(key(2));
            assertThat(
                    "a new period: its counters are zero, and the re-check demotes it",
                    s.placement(key(2)),
                    equalTo(Placement.COLD));
            assertThat(s.stats().migrations(), equalTo(2L));
            assertThat(s.get(key(2)), equalTo(Optional.of(value(2, 101))));
        }
    }

    @Test
    void theCounterMapHoldsAnEntryForEveryKeyEverSeen() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults())) {
            long empty = s.stats().trackerBytes();
            for (int i = 0; i < 1000; i++) {
                s.get(key(i)); // absent keys count too
            }
            long thousand = s.stats().trackerBytes();
            for (int i = 1000; i < 2000; i++) {
                s.put(key(i), value(i, 0));
            }
            long twoThousand = s.stats().trackerBytes();
            assertThat(
                    "each entry costs its node, counter, key object and bytes",
                    thousand - empty,
                    greaterThanOrEqualTo(1000L * 100));
            assertThat(
                    "twice the keys, about twice the memory",
                    (double) twoThousand / thousand,
                    allOf(greaterThan(1.8), lessThan(2.2)));
        }
    }

    @Test
    void theLruCacheAnswersRepeatedReadsAndEvictsTheLeastRecentlyUsed() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withCacheEntries(2))) {
            s.put(key(1), value(1, 0));
            s.put(key(2), value(2, 0));
            s.get(key(1)); // 1 is now the most recently used
            s.put(key(3), value(3, 0)); // evicts 2
            assertThat(s.where(key(1)), equalTo(Tier.CACHE));
            assertThat(s.where(key(2)), equalTo(Tier.COLD));
            assertThat(s.where(key(3)), equalTo(Tier.CACHE));
            long hits = s.stats().cacheHits();
            s.get(key(3));
            assertThat(s.stats().cacheHits(), equalTo(hits + 1));
            s.delete(key(3));
            assertThat(s.where(key(3)), equalTo(Tier.NONE));
            assertThat(s.get(key(3)), equalTo(Optional.empty()));
        }
    }

    @Test
    void scansMergeBothEnginesInKeyOrderBothWays() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withReclassifyProbability(0))) {
            for (int i = 0; i < 20; i++) {
                s.put(key(i), value(i, 0));
            }
            for (int v = 1; v <= 101; v++) {
                s.put(key(5), value(5, v)); // key 5 goes to the B+tree
            }
            s.delete(key(6));
            assertThat(s.placement(key(5)), equalTo(Placement.HOT));
            List<Bytes> forward = keys(s.scan(key(3), key(9)));
            assertThat(forward, equalTo(List.of(key(3), key(4), key(5), key(7), key(8))));
            List<Bytes> backward = keys(s.scanReverse(key(3), key(9)));
            assertThat(backward, equalTo(List.of(key(8), key(7), key(5), key(4), key(3))));
        }
    }

    @Test
    void reopeningRebuildsTheRoutesFromTheBPlusTree() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withReclassifyProbability(0))) {
            for (int v = 1; v <= 101; v++) {
                s.put(key(9), value(9, v));
            }
            s.put(key(10), value(10, 0));
        }
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults())) {
            assertThat(s.placement(key(9)), equalTo(Placement.HOT));
            assertThat(s.placement(key(10)), equalTo(Placement.COLD));
            assertThat(s.get(key(9)), equalTo(Optional.of(value(9, 101))));
            assertThat(s.get(key(10)), equalTo(Optional.of(value(10, 0))));
        }
    }

    @Test
    void aValueTooLargeForTheBPlusTreeIsPromotedAnywayAndTheMoveFails() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withReclassifyProbability(0))) {
            Bytes big = ScenarioData.value(1, 0, 1 << 20);
            for (int v = 1; v <= 100; v++) {
                s.put(key(1), big);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.put(key(1), big));
            assertThat(e.getMessage(), containsString("no overflow pages"));
            assertThat("the key stayed in the LSM tree, readable", s.placement(key(1)), equalTo(Placement.COLD));
            ticker.advance(Duration.ofHours(1).toNanos());
            assertThat(s.get(key(1)), equalTo(Optional.of(big)));
            assertThat(s.stats().migrations(), equalTo(0L));
        }
    }

    @Test
    void statsCountUserAndDeviceBytesAndTheEnginesFiles() throws IOException {
        try (SimpleHybridStore s = open(SimpleHybridStore.Knobs.defaults().withReclassifyProbability(0))) {
            for (int i = 0; i < 200; i++) {
                s.put(key(i), value(i, 0));
            }
            for (int v = 1; v <= 101; v++) {
                s.put(key(0), value(0, v));
            }
            s.sync();
            var stats = s.stats();
            assertThat(stats.userBytesWritten(), equalTo(301L * (12 + 100)));
            assertThat(
                    "the LSM tree's log holds every cold write",
                    stats.deviceBytesWritten(),
                    greaterThan(stats.userBytesWritten()));
            assertThat("the checkpoint wrote the B+tree's file", stats.hotBytes(), greaterThan(0L));
            assertThat(stats.coldBytes(), greaterThan(0L));
            assertThat(
                    "a move deletes the old copy inline: no key is in both engines",
                    stats.duplicateKeys(),
                    equalTo(0L));
        }
    }

    private static List<Bytes> keys(EntryIterator it) {
        List<Bytes> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                Entry e = it.next();
                out.add(e.key());
            }
        }
        return out;
    }
}
