package dev.storagelab.hybrid;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link HybridOptions#newKeysHot}: a key written for the first time goes to the B+tree while it
 * holds fewer than {@code maxHotKeys} keys. The cost model here prices both engines alike, so the
 * router never moves a key: every placement these tests see is the write's.
 */
class NewKeysHotTest {

    private final FakeTicker ticker = new FakeTicker();

    private HybridOptions.Builder options(boolean newKeysHot, int maxHotKeys) {
        return Hybrids.options(ticker)
                .costModel((placement, stats) -> 1)
                .newKeysHot(newKeysHot)
                .maxHotKeys(maxHotKeys);
    }

    @Test
    void newKeysFillTheBTreeUpToMaxHotKeysAndTheRestGoToTheLsmTree() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(1);
        HybridOptions o = options(true, 3).build();
        try (HybridStore store = Hybrids.open(storage, o)) {
            for (int k = 0; k < 6; k++) {
                store.put(key(k), value(k, 1));
            }
            for (int k = 0; k < 6; k++) {
                assertThat("key " + k, store.where(key(k)), equalTo(k < 3 ? Tier.HOT : Tier.COLD));
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
            assertThat(store.stats().hotKeys(), equalTo(3L));
        }
        try (HybridStore store = Hybrids.open(storage, o)) {
            for (int k = 0; k < 6; k++) {
                assertThat("after a reopen, key " + k, store.where(key(k)), equalTo(k < 3 ? Tier.HOT : Tier.COLD));
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
        }
    }

    @Test
    void withoutTheOptionEveryKeyStartsCold() throws IOException {
        try (HybridStore store =
                Hybrids.open(new FaultInjectingStorage(2), options(false, 3).build())) {
            for (int k = 0; k < 3; k++) {
                store.put(key(k), value(k, 1));
                assertThat(store.where(key(k)), equalTo(Tier.COLD));
            }
        }
    }

    @Test
    void aKeyTheLsmTreeHoldsStaysColdWhenWrittenAgain() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(3);
        try (HybridStore store = Hybrids.open(storage, options(false, 3).build())) {
            store.put(key(1), value(1, 1));
        }
        try (HybridStore store = Hybrids.open(storage, options(true, 3).build())) {
            store.put(key(1), value(1, 2));
            store.put(key(2), value(2, 1));
            assertThat("not new: the LSM tree holds it", store.where(key(1)), equalTo(Tier.COLD));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 2))));
            assertThat("new", store.where(key(2)), equalTo(Tier.HOT));
        }
    }

    @Test
    void aKeyWrittenWhileAScanIsOpenStaysCold() throws IOException {
        try (HybridStore store =
                Hybrids.open(new FaultInjectingStorage(4), options(true, 3).build())) {
            try (EntryIterator scan = store.scan(null, null)) {
                store.put(key(1), value(1, 1));
                assertThat("routes do not change under an open scan", store.where(key(1)), equalTo(Tier.COLD));
                assertThat(scan.hasNext(), equalTo(false));
            }
            store.put(key(2), value(2, 1));
            assertThat(store.where(key(2)), equalTo(Tier.HOT));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
        }
    }

    @Test
    void newKeysFlushedFromTheCacheGoToTheBTree() throws IOException {
        HybridOptions o = options(true, 2).cache("arc", 8).maxDirtyEntries(2).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(5), o)) {
            for (int k = 0; k < 4; k++) {
                store.put(key(k), value(k, 1));
            }
            store.checkpoint(); // flushes the cache
            for (int k = 0; k < 4; k++) {
                assertThat("key " + k, store.explain(key(k)).route(), equalTo(k < 2 ? Placement.HOT : Placement.COLD));
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
        }
    }

    @Test
    void recoveryPlacesTheKeysItReplaysAsTheirWritesDid() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(6);
        HybridOptions o = options(true, 2).build();
        HybridStore crashed = Hybrids.open(storage, o);
        for (int k = 0; k < 4; k++) {
            crashed.put(key(k), value(k, 1)); // each forced to the log, none checkpointed
        }
        storage.powerLoss();
        try (HybridStore store = Hybrids.open(storage, o)) {
            for (int k = 0; k < 4; k++) {
                assertThat("key " + k, store.where(key(k)), equalTo(k < 2 ? Tier.HOT : Tier.COLD));
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
        }
    }
}
