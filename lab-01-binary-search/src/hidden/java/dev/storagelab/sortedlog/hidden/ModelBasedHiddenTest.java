package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Model-based tests: random sequences of puts, deletes, gets, syncs, flushes, compactions,
 * reopens and power losses, run against a store and a {@link TreeMap} oracle side by side. On a
 * failure jqwik shrinks the sequence to a short one and prints it with its seed, for example
 * {@code [put("a", "x"), flush, delete("a"), compact, get("a")]}.
 *
 * <p>The {@code HashIndexLog} properties exercise lab-01 T2, T4 and T5 together; the
 * {@code SortedLogStore} ones (a 2 KiB memtable, 256-byte blocks, compaction at 3 segments, so
 * short sequences flush, write multi-block segments and compact) exercise T2-T9 together.
 */
@Tag("hidden")
class ModelBasedHiddenTest {

    /** A small key pool, so keys are overwritten and deleted often; rich in bytes signed order gets wrong. */
    private static final List<Bytes> KEYS = List.of(
            Bytes.of("a"),
            Bytes.of("b"),
            Bytes.of("c"),
            Bytes.of("d"),
            Bytes.of("e"),
            Bytes.copyOf(new byte[] {0x00}),
            Bytes.copyOf(new byte[] {(byte) 0xff}),
            Bytes.copyOf(new byte[] {0x00, (byte) 0xff}),
            Bytes.copyOf(new byte[] {(byte) 0xff, 0x00}),
            Bytes.copyOf(new byte[] {0x7f}),
            Bytes.copyOf(new byte[] {(byte) 0x80}));

    @BeforeContainer
    static void silenceExpectedWarnings() {
        Engine.quietLogs(true);
    }

    @AfterContainer
    static void restoreLogs() {
        Engine.quietLogs(false);
    }

    @Property(tries = 200)
    @Graded(
            task = "T4",
            points = 4,
            concept = "HashIndexLog diverges from a TreeMap under random puts, deletes, syncs and reopens")
    void hashIndexLogBehavesLikeATreeMap(@ForAll("hashIndexLogOps") List<Op> ops) throws IOException {
        check(Engine.hashIndexLog(false), ops);
    }

    @Property(tries = 200)
    @Graded(
            task = "T8",
            points = 5,
            concept =
                    "SortedLogStore diverges from a TreeMap under random writes, flushes, " + "compactions and reopens")
    void sortedLogStoreBehavesLikeATreeMap(@ForAll("sortedLogStoreOps") List<Op> ops) throws IOException {
        check(Engine.sortedLogStore(false, 3), ops);
    }

    @Property(tries = 150)
    @Graded(
            task = "T4",
            points = 3,
            concept = "acknowledged write lost after power loss (HashIndexLog with syncWrites)")
    void hashIndexLogWithSyncWritesSurvivesPowerLoss(@ForAll("hashIndexLogOpsWithPowerLoss") List<Op> ops)
            throws IOException {
        check(Engine.hashIndexLog(true), ops);
    }

    @Property(tries = 150)
    @Graded(
            task = "T8",
            points = 4,
            concept = "acknowledged write lost after power loss amid flushes and compactions "
                    + "(SortedLogStore with syncWrites)")
    void sortedLogStoreWithSyncWritesSurvivesPowerLoss(@ForAll("sortedLogStoreOpsWithPowerLoss") List<Op> ops)
            throws IOException {
        check(Engine.sortedLogStore(true, 3), ops);
    }

    /**
     * Runs {@code ops} against a fresh store and the oracle, comparing every get, then every key
     * at the end and again after a final reopen. With {@code syncWrites} every write is durable
     * when it returns, so a power loss must not change what the oracle says.
     */
    private static void check(Engine engine, List<Op> ops) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(ops.hashCode());
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        KeyValueStore store = engine.open(storage);
        try {
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op instanceof Op.Get g) {
                    assertThat(
                            engine + ", step " + i + " " + op + ": the store must agree with a TreeMap given the "
                                    + "same writes",
                            store.get(g.key()),
                            equalTo(Optional.ofNullable(oracle.get(g.key()))));
                } else if (op instanceof Op.PowerLoss) {
                    // Crash at the next mutation, wherever it comes from, then lose power and reboot.
                    storage.crashBeforeMutation(1);
                    KeyValueStore open = store;
                    store = null;
                    Engine.closeQuietly(open);
                    storage.powerLoss();
                    store = engine.open(storage);
                } else {
                    store = engine.apply(store, storage, op);
                    if (op instanceof Op.Put p) {
                        oracle.put(p.key(), p.value());
                    } else if (op instanceof Op.Delete d) {
                        oracle.remove(d.key());
                    }
                }
            }
            checkEveryKey(engine, store, oracle, "after the last step");
            store = engine.apply(store, storage, new Op.Reopen());
            checkEveryKey(engine, store, oracle, "after a final reopen");
        } finally {
            Engine.closeQuietly(store);
        }
    }

    private static void checkEveryKey(Engine engine, KeyValueStore store, TreeMap<Bytes, Bytes> oracle, String when)
            throws IOException {
        for (Bytes key : KEYS) {
            assertThat(
                    engine + ", " + when + ": get(" + key + ") must agree with a TreeMap given the same writes",
                    store.get(key),
                    equalTo(Optional.ofNullable(oracle.get(key))));
        }
    }

    // ------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<Op>> hashIndexLogOps() {
        return ops(false, false);
    }

    @Provide
    Arbitrary<List<Op>> sortedLogStoreOps() {
        return ops(true, false);
    }

    @Provide
    Arbitrary<List<Op>> hashIndexLogOpsWithPowerLoss() {
        return ops(false, true);
    }

    @Provide
    Arbitrary<List<Op>> sortedLogStoreOpsWithPowerLoss() {
        return ops(true, true);
    }

    private static Arbitrary<List<Op>> ops(boolean sorted, boolean powerLoss) {
        Arbitrary<Bytes> keys = Arbitraries.of(KEYS);
        // Readable values that shrink well; the empty value is a value, not a delete.
        Arbitrary<Bytes> values =
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(80).map(Bytes::of);
        List<Tuple.Tuple2<Integer, Arbitrary<Op>>> choices = new ArrayList<>(List.of(
                Tuple.of(50, Combinators.combine(keys, values).<Op>as(Op.Put::new)),
                Tuple.of(12, keys.<Op>map(Op.Delete::new)),
                Tuple.of(25, keys.<Op>map(Op.Get::new)),
                Tuple.of(3, Arbitraries.<Op>just(new Op.Reopen())),
                Tuple.of(2, Arbitraries.<Op>just(new Op.Sync()))));
        if (sorted) {
            choices.add(Tuple.of(4, Arbitraries.just(new Op.Flush())));
            choices.add(Tuple.of(2, Arbitraries.just(new Op.Compact())));
        }
        if (powerLoss) {
            choices.add(Tuple.of(3, Arbitraries.just(new Op.PowerLoss())));
        }
        return Arbitraries.frequencyOf(choices).list().ofMaxSize(150);
    }
}
