package dev.storagelab.hybrid;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The order of a read's look-ups ({@link TieredEngine#chooseReadOrder}): the B+tree before the
 * routing table while the B+tree's pool serves from memory, the routing table first otherwise;
 * either way a read returns the key's newest value, never a stale copy waiting for a checkpoint.
 * The cost model prices both engines alike, so keys move only when a test moves them.
 */
class ReadOrderTest {

    private final FakeTicker ticker = new FakeTicker();

    private HybridStore open(FaultInjectingStorage storage, int poolFrames) throws IOException {
        return Hybrids.open(
                storage,
                Hybrids.options(ticker)
                        .costModel((placement, stats) -> 1)
                        .btree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(poolFrames))
                        .build());
    }

    @Test
    void theBTreeGoesFirstWhileItsPoolServesEveryFetchFromMemory() throws IOException {
        try (HybridStore store = open(new FaultInjectingStorage(1), 32)) {
            for (int k = 0; k < 20; k++) {
                store.put(key(k), value(k, 1));
                store.move(key(k), Placement.HOT);
            }
            assertThat("no fetch yet: the routing table first", store.engine().readsTreeFirst(), is(false));
            for (int k = 0; k < 20; k++) {
                store.get(key(k));
            }
            store.runMaintenance();
            assertThat("every page in the pool", store.engine().readsTreeFirst(), is(true));
            for (int k = 0; k < 20; k++) {
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
        }
    }

    @Test
    void theRoutingTableGoesFirstOnceThePoolReadsPages() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(2);
        int keys = 1500; // some 100 pages of 1 KiB, through a pool of 16
        try (HybridStore store = open(storage, 16)) {
            for (int k = 0; k < keys; k++) {
                store.put(key(k), value(k, 1));
            }
            for (int k = 0; k < keys; k++) {
                store.move(key(k), Placement.HOT);
            }
            store.engine().readTreeFirst(true);
            for (int k = 0; k < keys; k += 7) {
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
            store.runMaintenance();
            assertThat("a miss could cost a page read", store.engine().readsTreeFirst(), is(false));
            for (int k = 0; k < keys; k += 7) {
                assertThat(store.get(key(k)), equalTo(Optional.of(value(k, 1))));
            }
        }
    }

    @Test
    void aStaleCopyInTheBTreeIsNeverServed() throws IOException {
        try (HybridStore store = open(new FaultInjectingStorage(3), 32)) {
            Bytes k = key(1);
            store.put(k, value(1, 1));
            store.move(k, Placement.HOT);
            store.move(k, Placement.COLD); // the B+tree's copy waits for the checkpoint to delete it
            store.put(k, value(1, 2));
            store.engine().readTreeFirst(true);
            assertThat("the stale copy is still there", store.tree().get(k), equalTo(Optional.of(value(1, 1))));
            assertThat(store.get(k), equalTo(Optional.of(value(1, 2))));
            store.delete(k);
            assertThat(store.get(k), equalTo(Optional.empty()));
            store.checkpoint();
            assertThat(store.tree().get(k), equalTo(Optional.empty()));
            assertThat(store.get(k), equalTo(Optional.empty()));
        }
    }

    @Test
    void aHotKeyTheBTreeLacksIsAbsentThoughTheLsmTreeHoldsAStaleCopy() throws IOException {
        try (HybridStore store = open(new FaultInjectingStorage(4), 32)) {
            Bytes k = key(1);
            store.put(k, value(1, 1));
            store.checkpoint();
            store.move(k, Placement.HOT); // the LSM tree's copy waits for the checkpoint
            store.delete(k);
            store.engine().readTreeFirst(true);
            assertThat("the stale copy is still there", store.lsm().get(k), equalTo(Optional.of(value(1, 1))));
            assertThat(store.get(k), equalTo(Optional.empty()));
        }
    }

    /**
     * Readers asking the B+tree first, beside a writer that raises each key's version and a mover
     * that sends keys back and forth between the engines and takes checkpoints (so stale copies
     * come and go in both engines): a reader never sees a key absent, nor a version older than one
     * whose write had returned before the read began (a stale copy would be one), nor older than
     * one it saw before. The threads run a fixed number of steps each, not for a time.
     */
    @Test
    void readersAskingTheBTreeFirstNeverSeeAnOlderVersionWhileKeysMove() throws Exception {
        int keys = 16;
        try (HybridStore store = open(new FaultInjectingStorage(6), 32)) {
            for (int k = 0; k < keys; k++) {
                store.put(key(k), version(0));
            }
            store.engine().readTreeFirst(true);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicIntegerArray acknowledged =
                    new java.util.concurrent.atomic.AtomicIntegerArray(keys);
            Thread writer = thread(failure, () -> {
                for (int v = 1; v <= 1500; v++) {
                    store.put(key(v % keys), version(v));
                    acknowledged.set(v % keys, v);
                }
            });
            Thread mover = thread(failure, () -> {
                for (int i = 0; i < 1500; i++) {
                    store.move(key(i % keys), (i / keys) % 2 == 0 ? Placement.HOT : Placement.COLD);
                    if (i % 50 == 0) {
                        store.checkpoint();
                    }
                }
            });
            Thread[] readers = new Thread[2];
            for (int r = 0; r < readers.length; r++) {
                readers[r] = thread(failure, () -> {
                    int[] seen = new int[keys];
                    for (int i = 0; i < 6000; i++) {
                        int k = i % keys;
                        int floor = Math.max(seen[k], acknowledged.get(k));
                        Optional<Bytes> got = store.get(key(k));
                        assertThat("key " + k + " is never absent", got.isPresent(), is(true));
                        int v = Integer.parseInt(got.get().toUtf8());
                        assertThat(
                                "key " + k + ": version " + v + ", where " + floor
                                        + " was written or seen before the read",
                                v >= floor,
                                is(true));
                        seen[k] = v;
                    }
                });
            }
            for (Thread t : readers) {
                t.join();
            }
            writer.join();
            mover.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertThat(
                    "the reads asked the B+tree first throughout",
                    store.engine().readsTreeFirst(),
                    is(true));
        }
    }

    private static Bytes version(int v) {
        return Bytes.of(Integer.toString(v));
    }

    /** A started thread running {@code body}; its first failure lands in {@code failure}. */
    private static Thread thread(java.util.concurrent.atomic.AtomicReference<Throwable> failure, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    @Test
    void aColdKeyIsFoundInTheLsmTreeAfterTheBTreeMisses() throws IOException {
        try (HybridStore store = open(new FaultInjectingStorage(5), 32)) {
            store.put(key(1), value(1, 1));
            store.put(key(2), value(2, 1));
            store.move(key(2), Placement.HOT);
            store.engine().readTreeFirst(true);
            assertThat(store.where(key(1)), equalTo(Tier.COLD));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat(store.get(key(2)), equalTo(Optional.of(value(2, 1))));
            assertThat(store.get(key(3)), equalTo(Optional.empty()));
        }
    }
}
