package dev.storagelab.hybrid;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MigrationTest {

    private final FakeTicker ticker = new FakeTicker();

    private HybridStore open(FaultInjectingStorage storage) throws IOException {
        return Hybrids.open(storage, Hybrids.options(ticker).build());
    }

    static List<Entry> scanAll(HybridStore store, boolean reverse) {
        List<Entry> out = new ArrayList<>();
        try (EntryIterator it = reverse ? store.scanReverse(null, null) : store.scan(null, null)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static List<Entry> entries(TreeMap<Bytes, Bytes> model) {
        List<Entry> out = new ArrayList<>();
        model.forEach((k, v) -> out.add(Entry.put(k, v)));
        return out;
    }

    @Test
    void aMovedKeyIsServedByItsNewEngine() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(1);
        try (HybridStore store = open(storage)) {
            store.put(key(1), value(1, 1));
            assertThat(store.where(key(1)), equalTo(Tier.COLD));
            assertThat(store.move(key(1), Placement.HOT), is(true));
            assertThat(store.where(key(1)), equalTo(Tier.HOT));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat("the B+tree holds the copy", store.tree().get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat("moving it where it is does nothing", store.move(key(1), Placement.HOT), is(false));
        }
    }

    @Test
    void theOldCopyIsDeletedOnlyAtTheCheckpoint() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(2);
        try (HybridStore store = open(storage)) {
            store.put(key(1), value(1, 1));
            store.checkpoint();
            store.move(key(1), Placement.HOT);
            assertThat(
                    "a stale copy waits in the LSM tree",
                    store.lsm().get(key(1)).isPresent(),
                    is(true));
            assertThat(store.stats().duplicateKeys(), equalTo(1L));
            store.checkpoint();
            assertThat(store.lsm().get(key(1)), equalTo(Optional.empty()));
            assertThat(store.stats().duplicateKeys(), equalTo(0L));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
        }
    }

    @Test
    void writesAfterAMoveGoToTheNewEngine() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(3);
        try (HybridStore store = open(storage)) {
            store.put(key(1), value(1, 1));
            store.move(key(1), Placement.HOT);
            store.put(key(1), value(1, 2));
            assertThat(store.tree().get(key(1)), equalTo(Optional.of(value(1, 2))));
            assertThat("the stale copy is untouched", store.lsm().get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 2))));
        }
    }

    @Test
    void scansReturnEachKeyOnceWithItsNewestValue() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(4);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (HybridStore store = open(storage)) {
            for (int i = 0; i < 40; i++) {
                store.put(key(i), value(i, 1));
                model.put(key(i), value(i, 1));
            }
            for (int i = 0; i < 40; i += 3) {
                store.move(key(i), Placement.HOT); // stale copies stay in the LSM tree
                store.put(key(i), value(i, 2));
                model.put(key(i), value(i, 2));
            }
            for (int i = 0; i < 40; i += 6) {
                store.move(key(i), Placement.COLD); // and back: the B+tree's copy is stale now
            }
            store.delete(key(9));
            model.remove(key(9));
            assertThat(scanAll(store, false), equalTo(entries(model)));
            List<Entry> reversed = new ArrayList<>(entries(model));
            java.util.Collections.reverse(reversed);
            assertThat(scanAll(store, true), equalTo(reversed));
        }
    }

    @Test
    void aDeletedKeyDoesNotComeBackFromAStaleCopy() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(5);
        try (HybridStore store = open(storage)) {
            store.put(key(1), value(1, 1));
            store.checkpoint();
            store.move(key(1), Placement.HOT);
            store.delete(key(1));
            assertThat(store.get(key(1)), equalTo(Optional.empty()));
            assertThat(scanAll(store, false), equalTo(List.of()));
            store.checkpoint();
            assertThat(store.get(key(1)), equalTo(Optional.empty()));
        }
        try (HybridStore store = open(storage)) {
            assertThat(store.get(key(1)), equalTo(Optional.empty()));
        }
    }

    @Test
    void aKeyMovedAwayAndBackBeforeACheckpointKeepsItsValue() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(6);
        try (HybridStore store = open(storage)) {
            store.put(key(1), value(1, 1));
            store.move(key(1), Placement.HOT);
            store.move(key(1), Placement.COLD);
            store.checkpoint();
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat(store.where(key(1)), equalTo(Tier.COLD));
            assertThat("the B+tree's stale copy is gone", store.tree().get(key(1)), equalTo(Optional.empty()));
        }
    }

    @Test
    void routesSurviveAReopen() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(7);
        try (HybridStore store = open(storage)) {
            store.put(key(1), value(1, 1));
            store.put(key(2), value(2, 1));
            store.move(key(1), Placement.HOT);
        }
        try (HybridStore store = open(storage)) {
            assertThat(store.where(key(1)), equalTo(Tier.HOT));
            assertThat(store.where(key(2)), equalTo(Tier.COLD));
            assertThat(store.stats().hotKeys(), equalTo(1L));
        }
    }

    @Test
    void aBatchGoesToEachKeysEngine() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(8);
        try (HybridStore store = open(storage)) {
            store.put(key(2), value(2, 1));
            store.move(key(2), Placement.HOT);
            store.checkpoint();
            store.write(List.of(
                    Entry.put(key(3), value(3, 1)), Entry.put(key(2), value(2, 2)), Entry.put(key(1), value(1, 1))));
            assertThat(store.tree().get(key(2)), equalTo(Optional.of(value(2, 2))));
            assertThat(store.tree().get(key(1)), equalTo(Optional.empty()));
            assertThat(store.lsm().get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat(store.lsm().get(key(3)), equalTo(Optional.of(value(3, 1))));
        }
    }

    @Test
    void aCrashAfterAMoveLosesNothingAndLeavesNoDuplicateForLong() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(9);
        HybridStore crashed = open(storage);
        for (int i = 0; i < 20; i++) {
            crashed.put(key(i), value(i, 1));
        }
        crashed.checkpoint();
        for (int i = 0; i < 20; i += 2) {
            crashed.move(key(i), Placement.HOT);
            crashed.put(key(i), value(i, 2));
        }
        crashed.tree().checkpoint(); // the B+tree's copies are durable, the routing table is not
        storage.powerLoss();
        try (HybridStore store = open(storage)) {
            for (int i = 0; i < 20; i++) {
                assertThat("key " + i, store.get(key(i)), equalTo(Optional.of(value(i, i % 2 == 0 ? 2 : 1))));
            }
            assertThat(
                    "the B+tree's copies are stale: the routing table says COLD",
                    store.stats().hotKeys(),
                    equalTo(0L));
            assertThat(store.stats().duplicateKeys(), equalTo(10L));
            store.checkpoint();
            assertThat(store.stats().duplicateKeys(), equalTo(0L));
            assertThat(scanAll(store, false).size(), equalTo(20));
        }
    }

    @Test
    void aValueTooLargeForTheBPlusTreeSendsItsKeyToTheLsmTree() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(10);
        Bytes big = Bytes.wrap(new byte[3000]); // a B+tree cell is at most a quarter of a 1 KiB page
        HybridStore store = open(storage); // never closed: it crashes
        {
            store.put(key(1), value(1, 1));
            store.move(key(1), Placement.HOT);
            store.put(key(1), big);
            assertThat(store.get(key(1)), equalTo(Optional.of(big)));
            assertThat(store.where(key(1)), equalTo(Tier.COLD));
            assertThat("a move back to the B+tree is refused", store.move(key(1), Placement.HOT), is(false));
            store.checkpoint();
            assertThat(store.tree().get(key(1)), equalTo(Optional.empty()));
            store.move(key(2), Placement.HOT);
            store.put(key(2), big); // routed HOT before it had a value, written big: replayed after the crash
            storage.powerLoss();
        }
        try (HybridStore reopened = open(storage)) {
            assertThat(reopened.get(key(1)), equalTo(Optional.of(big)));
            assertThat(reopened.get(key(2)), equalTo(Optional.of(big)));
        }
    }

    @Test
    void aScanThatOutlivesACacheFlushReturnsEveryStableKeyOnce() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(11);
        HybridOptions options =
                Hybrids.options(ticker).cache("arc", 2_000).maxDirtyEntries(400).build();
        try (HybridStore store = Hybrids.open(storage, options)) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (int i = 0; i < 300; i += 2) { // dirty in the cache: read a chunk at a time by the scan
                store.put(key(i), value(i, 1));
                model.put(key(i), value(i, 1));
            }
            for (boolean reverse : new boolean[] {false, true}) {
                List<Entry> got = new ArrayList<>();
                try (EntryIterator it = reverse ? store.scanReverse(null, null) : store.scan(null, null)) {
                    for (int n = 0; n < 10 && it.hasNext(); n++) {
                        got.add(it.next());
                    }
                    for (int i = 1; i < 900; i += 2) { // other keys, written now: the cache flushes under the scan
                        store.put(key(100_000 + i), value(i, 2));
                    }
                    while (it.hasNext()) {
                        got.add(it.next());
                    }
                }
                List<Entry> stable = new ArrayList<>();
                for (Entry e : got) {
                    if (model.containsKey(e.key())) {
                        stable.add(e);
                    }
                }
                List<Entry> expected = entries(model);
                if (reverse) {
                    java.util.Collections.reverse(expected);
                }
                assertThat(
                        (reverse ? "reverse" : "forward") + ": each stable key once, in order",
                        stable,
                        equalTo(expected));
                assertThat(
                        "a flush happened during the scan",
                        store.cache().stats().flushes() > 0,
                        is(true));
            }
        }
    }
}
