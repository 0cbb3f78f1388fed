package dev.storagelab.hybrid.hidden;

import static dev.storagelab.testkit.LincheckSupport.actor;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.Tier;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.LincheckSupport;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race test of lab-07 T6 with Lincheck's model checker: a key's move between the B+tree and
 * the LSM tree (copy its value to the other engine, switch its route, defer the old copy's delete)
 * beside writes, deletes, reads and checkpoints of the same keys, explored interleaving by
 * interleaving (a thread switch at every access to the hybrid's routing table, pending deletes and
 * locks). Two things are checked: every history is the outcome of some sequential order of the
 * same operations on a map (a move changes no answer: a read beside it finds the key's newest value
 * in the engine its route names, never a stale copy and never nothing), and after each scenario
 * what the moves published agrees with the files: the store closed and opened again (its routing
 * table, the two engines, the log) answers every key as the open store did, and as the map does.
 * It catches a move that copies and switches without the key's lock (a read between its look at
 * the route and its read of the engine finds nothing once a checkpoint has deleted the old copy), a
 * read that looks at the route before it takes the key's lock (the same), a read with no cache that
 * keeps its optimistic answer without checking that no move or write held the key's lock meanwhile
 * (the same), a move that switches the
 * route before the copy is in the other engine, a checkpoint that deletes a stale copy before the
 * routing table naming the other engine is written, or a deleted key's move that leaves the
 * target's stale copy to come back.
 *
 * <p>Deterministic: four scenarios written out below, each explored over a fixed count of
 * interleavings, and no random one (the store is opened again as the last step of each). The log
 * is not forced (a forced log's group commit waits inside one step, which the model checker cannot
 * schedule; forcing changes no order between the hybrid's own steps), and the B+tree, the LSM tree,
 * the log and the storage are each one step (they lock themselves): the interleavings explored are
 * the hybrid's own.
 */
@Tag("hidden")
@Param(name = "key", gen = IntGen.class, conf = "1:2")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class MigrationLincheckHiddenTest {

    private final Supplier<FaultInjectingStorage> storage;

    /** The store the operations use: {@link #reopen} puts the store opened again here. */
    private final Supplier<AtomicReference<HybridStore>> store;

    public MigrationLincheckHiddenTest() throws IOException {
        FaultInjectingStorage memory = new FaultInjectingStorage();
        storage = LincheckSupport.unwalked(memory);
        store = LincheckSupport.unwalked(new AtomicReference<>(HybridStore.open(memory, options())));
    }

    /**
     * Small engines, no cache, no background threads, the log written but not forced, and a router
     * that is never asked (only the scenario's moves move keys).
     */
    private static HybridOptions options() {
        return Hybrids.options(new FakeTicker())
                .syncMode(SyncMode.NONE)
                .considerEvery(Integer.MAX_VALUE)
                .build();
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) throws IOException {
        store.get().get().put(key(key), value(value));
    }

    @Operation
    public void delete(@Param(name = "key") int key) throws IOException {
        store.get().get().delete(key(key));
    }

    @Operation
    public Integer get(@Param(name = "key") int key) throws IOException {
        return decode(store.get().get().get(key(key)));
    }

    /** Moves the key to the B+tree; whether it moved is not an answer (it may be there already). */
    @Operation
    public void moveHot(@Param(name = "key") int key) throws IOException {
        store.get().get().move(key(key), Placement.HOT);
    }

    /** Moves the key to the LSM tree. */
    @Operation
    public void moveCold(@Param(name = "key") int key) throws IOException {
        store.get().get().move(key(key), Placement.COLD);
    }

    /** Writes the routing table and carries out the pending deletes of stale copies. */
    @Operation
    public void checkpoint() throws IOException {
        store.get().get().checkpoint();
    }

    /**
     * What the moves published against the files, as the last operation of every scenario: the
     * store closed and opened again (routing table, engines, log replayed) answers each key as the
     * open store did, and those answers are what it returns ("k1=V1 k2=V2", with "-" for no value),
     * so that the map checks them too. An operation rather than a validation function for that
     * reason: a store that reopens the same wrong way it answered would pass a comparison alone.
     */
    @Operation
    public String reopen() throws IOException {
        Map<Integer, Integer> open = answers(store.get().get());
        store.get().get().close();
        HybridStore again;
        try {
            again = HybridStore.open(storage.get(), options());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "the store closed after the scenario does not open again (" + e + "): a move or a checkpoint "
                            + "left the routing table and the engines disagreeing",
                    e);
        }
        store.get().set(again);
        Map<Integer, Integer> reopened = answers(again);
        if (!Objects.equals(open, reopened)) {
            throw new IllegalStateException("the open store answered " + open + " for keys 1 and 2, the store "
                    + "opened again answers " + reopened + ": a checkpoint deleted a copy before the routing table "
                    + "naming the other engine was written, or a move of a deleted key left a stale copy to come back");
        }
        return Sequential.describe(reopened);
    }

    private static Map<Integer, Integer> answers(HybridStore s) throws IOException {
        Map<Integer, Integer> answers = new TreeMap<>();
        for (int k = 1; k <= 2; k++) {
            answers.put(k, decode(s.get(key(k))));
        }
        return answers;
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "migration races: a move reads the value or switches the route outside the key's lock (a write "
                    + "meanwhile is lost behind the copy, or a read finds the key in neither engine), or a checkpoint "
                    + "deletes a stale copy before the routing table naming the other engine is durable")
    void everyHistoryOfMovesBesideWritesIsLinearizableAndTheStoreReopensAsItWas() throws IOException {
        // every history is linearizable for moves that never move: alone, a move takes the key across
        MigrationLincheckHiddenTest alone = new MigrationLincheckHiddenTest();
        alone.put(1, 1);
        HybridStore single = alone.store.get().get();
        boolean hot = single.where(key(1)) == Tier.HOT;
        if (hot) {
            alone.moveCold(1);
        } else {
            alone.moveHot(1);
        }
        assertThat(
                "alone, a move takes k1 to the other engine",
                single.where(key(1)),
                equalTo(hot ? Tier.COLD : Tier.HOT));
        assertThat("and k1 reads as it was", alone.get(1), equalTo(1));
        single.close();
        Class<?> t = MigrationLincheckHiddenTest.class;
        ModelCheckingOptions options = new ModelCheckingOptions()
                // A move beside a write of the same key (the write must not be lost behind the copy)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 1, 1)),
                        List.of(List.of(actor(t, "moveHot", 1)), List.of(actor(t, "put", 1, 2))),
                        List.of(actor(t, "get", 1), actor(t, "reopen"))))
                // ... reads beside a move and the checkpoint that deletes the old copy (each read
                // finds the value in the engine the route it read names)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 1, 1)),
                        List.of(
                                List.of(actor(t, "moveHot", 1), actor(t, "checkpoint")),
                                List.of(actor(t, "get", 1), actor(t, "get", 1))),
                        List.of(actor(t, "reopen"))))
                // ... a move beside a delete of its key (the deleted key must not come back)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 1, 1), actor(t, "moveHot", 1), actor(t, "checkpoint")),
                        List.of(List.of(actor(t, "moveCold", 1)), List.of(actor(t, "delete", 1))),
                        List.of(actor(t, "get", 1), actor(t, "reopen"))))
                // ... and a checkpoint beside a move and a write (the stale copy is deleted only
                // once the routing table naming the other engine is written).
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 1, 1), actor(t, "put", 2, 1)),
                        List.of(
                                List.of(actor(t, "moveHot", 1), actor(t, "checkpoint")),
                                List.of(actor(t, "put", 1, 2), actor(t, "moveHot", 2))),
                        List.of(actor(t, "reopen"))))
                // No random scenario: the store must be opened again as the last step of each.
                .iterations(0)
                // 30: the reads take no lock when they need none (optimistic), so a race that
                // leaves a window shows in fewer of the interleavings; 15 missed two of the
                // planted ones.
                .invocationsPerIteration(30)
                // Opening the store builds its 256 key locks in a loop, which is not a spin.
                .loopBound(1_000)
                .loopIterationsBeforeThreadSwitch(1_000)
                // The two engines, the log's files and the storage are each one step: they lock
                // themselves, and the interleavings explored are the hybrid's own.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.io.")
                                || name.startsWith("dev.storagelab.kv.")
                                || name.startsWith("dev.storagelab.bst.")
                                || name.startsWith("dev.storagelab.bounds.")
                                || name.startsWith("dev.storagelab.events.")
                                || name.startsWith("dev.storagelab.btree.")
                                || name.startsWith("dev.storagelab.lsm.")
                                || name.startsWith("dev.storagelab.wal.")
                                || name.startsWith("dev.storagelab.hybrid.track.")
                                || name.startsWith("dev.storagelab.hybrid.cost."))
                        .allMethods()
                        .treatAsAtomic())
                // A failure is reported as found: shrinking it would cost more than the whole test.
                .minimizeFailedScenario(false)
                .sequentialSpecification(Sequential.class);
        ModelChecks.check(t, options, 120_000);
    }

    private static Bytes key(int k) {
        return Bytes.of("k" + k);
    }

    private static Bytes value(int v) {
        return Bytes.of("value " + v);
    }

    private static Integer decode(Optional<Bytes> value) {
        return value.map(b -> Integer.valueOf(b.toUtf8().substring("value ".length())))
                .orElse(null);
    }

    /** The sequential specification: a map; moves and checkpoints change no answer. */
    public static final class Sequential {
        private final Map<Integer, Integer> map = new HashMap<>();

        public void put(int key, int value) {
            map.put(key, value);
        }

        public void delete(int key) {
            map.remove(key);
        }

        public Integer get(int key) {
            return map.get(key);
        }

        public void moveHot(int key) {}

        public void moveCold(int key) {}

        public void checkpoint() {}

        public String reopen() {
            Map<Integer, Integer> answers = new TreeMap<>();
            for (int k = 1; k <= 2; k++) {
                answers.put(k, map.get(k));
            }
            return describe(answers);
        }

        static String describe(Map<Integer, Integer> answers) {
            StringBuilder text = new StringBuilder();
            answers.forEach((k, v) -> text.append(text.length() == 0 ? "" : " ")
                    .append('k')
                    .append(k)
                    .append('=')
                    .append(v == null ? "-" : v.toString()));
            return text.toString();
        }
    }
}
