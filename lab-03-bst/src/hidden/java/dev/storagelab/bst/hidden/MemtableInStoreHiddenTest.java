package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import dev.storagelab.bst.SkipListMemtable;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hidden tests of lab-03 T7 in its real setting: the lab-01 {@link SortedLogStore} running on
 * {@link SkipListMemtable} ({@code memtableFactory(SkipListMemtable::new)}), with a 1 KiB memtable
 * so that short histories flush (a scan of a frozen memtable), recover (a replay into a new
 * memtable) and compact. Random histories against a {@link TreeMap}, and a crash before each
 * storage mutation of a seeded workload, after which no acknowledged write may be lost.
 */
@Tag("hidden")
class MemtableInStoreHiddenTest {

    private static final Logger STORE_LOG = Logger.getLogger(SortedLogStore.class.getName());
    private static final Bytes MARKER = Bytes.of("written-after-recovery");

    @BeforeContainer
    static void silenceExpectedWarnings() {
        STORE_LOG.setLevel(Level.OFF); // thousands of deliberate crashes would bury the output in warnings
    }

    @AfterContainer
    static void restoreLogs() {
        STORE_LOG.setLevel(null);
    }

    @Property(tries = 80, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T7",
            points = 3,
            concept = "SortedLogStore on the skip-list memtable diverges from a TreeMap: a flush, a "
                    + "recovery or a read of the memtable loses, resurrects or reorders a key")
    void theStoreOnTheSkipListMemtableBehavesLikeATreeMap(@ForAll("histories") List<StoreOp> ops) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(ops.hashCode());
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        SortedLogStore store = open(storage, false);
        try {
            for (int i = 0; i < ops.size(); i++) {
                StoreOp op = ops.get(i);
                if (op instanceof StoreOp.Get g) {
                    assertThat(
                            "step " + i + " " + op + " of " + ops.subList(0, i + 1) + ": the store must agree with a "
                                    + "TreeMap given the same writes",
                            store.get(g.key()),
                            equalTo(Optional.ofNullable(oracle.get(g.key()))));
                } else {
                    store = apply(store, storage, op, false);
                    if (op instanceof StoreOp.Put p) {
                        oracle.put(p.key(), p.value());
                    } else if (op instanceof StoreOp.Delete d) {
                        oracle.remove(d.key());
                    }
                }
            }
            checkEveryKey(store, oracle, "after " + ops);
            store = apply(store, storage, new StoreOp.Reopen(), false);
            checkEveryKey(store, oracle, "after " + ops + " and a final reopen");
        } finally {
            closeQuietly(store);
        }
    }

    @Example
    @Graded(
            task = "T7",
            points = 3,
            concept = "SortedLogStore on the skip-list memtable loses an acknowledged (synced) write "
                    + "after a crash: replay into the memtable or its flush drops an entry or a tombstone")
    void noAcknowledgedWriteIsLostWhenTheStoreCrashes() throws IOException {
        List<StoreOp> workload = workload(new Random(2024), 50);
        FaultInjectingStorage clean = new FaultInjectingStorage();
        Durability cleanRun = run(clean, workload);
        assertThat("the workload runs without a crash when none is armed", clean.isCrashed(), equalTo(false));
        verify(clean, cleanRun, "the run without a crash");
        long mutations = clean.mutationCount();
        int crashPoints = 0;
        for (long n = 1; n <= mutations; n++) {
            CrashMode mode = n % 2 == 0 ? CrashMode.RANDOM : CrashMode.LOSE_UNSYNCED;
            FaultInjectingStorage storage = new FaultInjectingStorage(n * 31).crashMode(mode);
            storage.crashBeforeMutation(n);
            Durability model = run(storage, workload);
            if (!storage.isCrashed()) {
                continue; // background flushes made this run make fewer mutations than the counting run
            }
            crashPoints++;
            storage.powerLoss();
            verify(
                    storage,
                    model,
                    "a crash before mutation " + n + " of " + mutations + " (" + model.where + "), power loss " + mode);
        }
        System.out.println(
                "MemtableInStoreHiddenTest: " + crashPoints + " crash points of " + mutations + " mutations");
        assertThat(
                "crash points exercised (one per storage mutation of the workload)",
                crashPoints,
                greaterThanOrEqualTo(100));
    }

    // ------------------------------------------------------------------------------ the store

    private static SortedLogOptions options(boolean syncWrites) {
        return SortedLogOptions.builder()
                .memtableBytes(1024)
                .blockSize(128)
                .compactionTrigger(3)
                .syncWrites(syncWrites)
                .memtableFactory(SkipListMemtable::new)
                .build();
    }

    private static SortedLogStore open(Storage storage, boolean syncWrites) throws IOException {
        return SortedLogStore.open(storage, options(syncWrites));
    }

    /** Applies a write or maintenance step; returns the store to go on with (a new one after a reopen). */
    private static SortedLogStore apply(SortedLogStore store, Storage storage, StoreOp op, boolean syncWrites)
            throws IOException {
        if (op instanceof StoreOp.Put p) {
            store.put(p.key(), p.value());
        } else if (op instanceof StoreOp.Delete d) {
            store.delete(d.key());
        } else if (op instanceof StoreOp.Flush) {
            store.flush();
        } else if (op instanceof StoreOp.Compact) {
            store.compact();
        } else if (op instanceof StoreOp.Reopen) {
            store.close();
            return open(storage, syncWrites);
        }
        return store;
    }

    private static void checkEveryKey(SortedLogStore store, TreeMap<Bytes, Bytes> oracle, String when)
            throws IOException {
        for (Bytes key : SkipListMemtableHiddenTest.KEYS) {
            assertThat(
                    when + ": get(" + key + ") must agree with a TreeMap given the same writes",
                    store.get(key),
                    equalTo(Optional.ofNullable(oracle.get(key))));
        }
    }

    private static void closeQuietly(SortedLogStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (IOException | RuntimeException ignored) {
                // expected after a simulated crash
            }
        }
    }

    // ------------------------------------------------------------------------------ crashes

    /**
     * What a workload run acknowledged: with {@code syncWrites} a write that returned is durable,
     * so after a crash each key holds its last acknowledged state, or the state of the one write
     * that was in flight when the crash came.
     */
    private static final class Durability {
        final TreeMap<Bytes, Optional<Bytes>> acknowledged = new TreeMap<>();
        Bytes inFlightKey;
        Optional<Bytes> inFlightState;
        String where = "while opening";

        Set<Optional<Bytes>> allowed(Bytes key) {
            Set<Optional<Bytes>> allowed = new LinkedHashSet<>();
            allowed.add(acknowledged.getOrDefault(key, Optional.empty()));
            if (key.equals(inFlightKey)) {
                allowed.add(inFlightState);
            }
            return allowed;
        }
    }

    /** Runs the workload with syncWrites until it ends or the armed crash stops it. */
    private static Durability run(FaultInjectingStorage storage, List<StoreOp> workload) {
        Durability model = new Durability();
        SortedLogStore store = null;
        try {
            store = open(storage, true);
            for (int i = 0; i < workload.size(); i++) {
                StoreOp op = workload.get(i);
                model.where = "during step " + i + ": " + op;
                if (op instanceof StoreOp.Put p) {
                    model.inFlightKey = p.key();
                    model.inFlightState = Optional.of(p.value());
                } else if (op instanceof StoreOp.Delete d) {
                    model.inFlightKey = d.key();
                    model.inFlightState = Optional.empty();
                }
                if (op instanceof StoreOp.Reopen) {
                    SortedLogStore closing = store;
                    store = null;
                    closing.close();
                    store = open(storage, true);
                } else {
                    store = apply(store, storage, op, true);
                }
                if (model.inFlightKey != null) {
                    model.acknowledged.put(model.inFlightKey, model.inFlightState);
                    model.inFlightKey = null;
                }
            }
            model.where = "closing";
            SortedLogStore closing = store;
            store = null;
            closing.close();
        } catch (IOException e) {
            if (!storage.isCrashed()) {
                throw new AssertionError("I/O failed " + model.where + " with no crash armed: " + e, e);
            }
        } finally {
            closeQuietly(store);
        }
        return model;
    }

    /** Reopens and checks every key, then that the recovered store takes a write that survives a reopen. */
    private static void verify(FaultInjectingStorage storage, Durability model, String where) throws IOException {
        try (SortedLogStore store = open(storage, true)) {
            for (Bytes key : SkipListMemtableHiddenTest.KEYS) {
                assertThat(
                        where + ": after recovery, " + key + " must hold its last acknowledged state (or the state "
                                + "of the write in flight at the crash); empty = absent",
                        model.allowed(key),
                        hasItem(store.get(key)));
            }
            store.put(MARKER, Bytes.of(where));
        }
        try (SortedLogStore store = open(storage, true)) {
            assertThat(
                    where + ": a write after recovery survives a reopen",
                    store.get(MARKER),
                    equalTo(Optional.of(Bytes.of(where))));
        }
    }

    /** A seeded workload over the shared key pool whose every put writes a value never written before. */
    private static List<StoreOp> workload(Random random, int steps) {
        List<Bytes> keys = SkipListMemtableHiddenTest.KEYS;
        List<StoreOp> ops = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            Bytes key = keys.get(random.nextInt(keys.size()));
            int dice = random.nextInt(100);
            if (dice < 18) {
                ops.add(new StoreOp.Delete(key));
            } else if (dice < 24) {
                ops.add(new StoreOp.Flush());
            } else if (dice < 28) {
                ops.add(new StoreOp.Compact());
            } else if (dice < 32) {
                ops.add(new StoreOp.Reopen());
            } else {
                ops.add(new StoreOp.Put(key, Bytes.of("step " + i + " " + "v".repeat(random.nextInt(100)))));
            }
        }
        return ops;
    }

    // ------------------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<StoreOp>> histories() {
        Arbitrary<Bytes> keys = Arbitraries.of(SkipListMemtableHiddenTest.KEYS);
        Arbitrary<Bytes> values =
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(80).map(Bytes::of);
        return Arbitraries.frequencyOf(
                        Tuple.of(50, Combinators.combine(keys, values).<StoreOp>as(StoreOp.Put::new)),
                        Tuple.of(15, keys.<StoreOp>map(StoreOp.Delete::new)),
                        Tuple.of(25, keys.<StoreOp>map(StoreOp.Get::new)),
                        Tuple.of(4, Arbitraries.<StoreOp>just(new StoreOp.Flush())),
                        Tuple.of(3, Arbitraries.<StoreOp>just(new StoreOp.Compact())),
                        Tuple.of(3, Arbitraries.<StoreOp>just(new StoreOp.Reopen())))
                .list()
                .ofMaxSize(120)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    /** One step of a store history; {@link #toString()} is what jqwik prints for a shrunk failure. */
    sealed interface StoreOp {
        record Put(Bytes key, Bytes value) implements StoreOp {
            @Override
            public String toString() {
                return "put(" + key + ", " + value + ")";
            }
        }

        record Delete(Bytes key) implements StoreOp {
            @Override
            public String toString() {
                return "delete(" + key + ")";
            }
        }

        record Get(Bytes key) implements StoreOp {
            @Override
            public String toString() {
                return "get(" + key + ")";
            }
        }

        record Flush() implements StoreOp {
            @Override
            public String toString() {
                return "flush";
            }
        }

        record Compact() implements StoreOp {
            @Override
            public String toString() {
                return "compact";
            }
        }

        record Reopen() implements StoreOp {
            @Override
            public String toString() {
                return "reopen";
            }
        }
    }
}
