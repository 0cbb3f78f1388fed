package dev.storagelab.mvcc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** lab-06 T6: garbage collection of the versions no snapshot can read, and its watermark. */
class GarbageCollectionTest {

    private final MemoryOrderedStore engine = new MemoryOrderedStore();
    private final MvccStore store = new MvccStore(engine);

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private void put(long ts, String key, String value) throws IOException {
        store.write(ts, List.of(Entry.put(b(key), b(value))));
    }

    private List<String> versions() throws CorruptionException {
        List<String> out = new ArrayList<>();
        for (Bytes k : engine.contents().keySet()) {
            out.add(VersionedKey.decode(k).toString());
        }
        return out;
    }

    @Test
    void keepsTheVersionsAboveTheWatermarkAndTheNewestAtOrBelowIt() throws IOException {
        for (long ts = 1; ts <= 5; ts++) {
            put(ts, "k", "v" + ts);
        }
        put(2, "single", "s");
        MvccStore.GcResult r = store.collectGarbage(3);
        assertThat(versions(), contains("\"k\"@5", "\"k\"@4", "\"k\"@3", "\"single\"@2"));
        assertThat(r, equalTo(new MvccStore.GcResult(2, 6, 2)));
        assertThat(
                "a read at the watermark still finds its version", store.get(b("k"), 3), equalTo(Optional.of(b("v3"))));
    }

    @Test
    void aTombstoneWithNothingNewerGoesWithTheVersionsItHides() throws IOException {
        put(1, "k", "v1");
        put(2, "k", "v2");
        store.write(3, List.of(Entry.tombstone(b("k"))));
        MvccStore.GcResult r = store.collectGarbage(3);
        assertThat("every version of a key deleted at or before the watermark is gone", engine.size(), equalTo(0));
        assertThat(r.versionsRemoved(), equalTo(3L));
        assertThat(store.get(b("k"), 10), equalTo(Optional.empty()));
    }

    @Test
    void aTombstoneWithANewerVersionStays() throws IOException {
        put(1, "k", "v1");
        store.write(3, List.of(Entry.tombstone(b("k"))));
        put(6, "k", "v6");
        store.collectGarbage(4);
        assertThat("a reader at 4 or 5 must still see the delete", versions(), contains("\"k\"@6", "\"k\"@3"));
        assertThat(store.get(b("k"), 5), equalTo(Optional.empty()));
    }

    @Test
    void theWatermarkIsTheOldestActiveStartAndItsSnapshotSurvivesGc() throws IOException {
        TransactionManager manager = new TransactionManager(store, CommitLog.NONE);
        try (Transaction w = manager.begin()) {
            w.put(b("k"), b("first"));
            w.commit();
        }
        Transaction longReader = manager.begin();
        for (int i = 0; i < 5; i++) {
            try (Transaction w = manager.begin()) {
                w.put(b("k"), b("later" + i));
                w.commit();
            }
        }
        assertThat(manager.visibleTs(), equalTo(6L));
        assertThat("the long reader holds the watermark back", manager.gcWatermark(), equalTo(1L));
        manager.collectGarbage();
        assertThat(longReader.get(b("k")), equalTo(Optional.of(b("first"))));
        assertThat("nothing a reader at 1 or later can read was removed", engine.size(), equalTo(6));
        longReader.close();
        assertThat(
                "with no transaction active the watermark is the visible timestamp",
                manager.gcWatermark(),
                equalTo(6L));
        MvccStore.GcResult r = manager.collectGarbage();
        assertThat(r.versionsRemoved(), equalTo(5L));
        try (Transaction t = manager.begin()) {
            assertThat(t.get(b("k")), equalTo(Optional.of(b("later4"))));
        }
    }

    @Test
    void theBackgroundCollectorRunsAndStopsOnClose() throws Exception {
        TransactionManager manager = new TransactionManager(
                store, CommitLog.NONE, TransactionManager.Options.defaults().withGcInterval(Duration.ofMillis(5)));
        for (int i = 0; i < 20; i++) {
            try (Transaction w = manager.begin()) {
                w.put(b("k"), b("v" + i));
                w.commit();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (engine.size() > 1 && System.nanoTime() < deadline) {
            if (manager.lastGcFailure() != null) {
                throw new AssertionError("the background collection failed", manager.lastGcFailure());
            }
            Thread.sleep(5);
        }
        assertThat("the background collector left one version of k", engine.size(), equalTo(1));
        manager.close();
        long runs = manager.gcRuns();
        assertThat(runs, greaterThan(0L));
        Thread.sleep(50);
        assertThat("no collection after close", manager.gcRuns(), equalTo(runs));
    }
}
