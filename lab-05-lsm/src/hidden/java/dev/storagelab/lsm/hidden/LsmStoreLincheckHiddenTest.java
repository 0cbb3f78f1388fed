package dev.storagelab.lsm.hidden;

import static dev.storagelab.testkit.LincheckSupport.actor;
import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.LincheckSupport;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.annotations.Validate;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race test of lab-05 T6 and T7 with Lincheck's model checker: the two background movers of
 * an LSM tree, the flush (a frozen memtable becomes a level-0 table) and the compaction (tables
 * merged into the next level), each publish what they did to shared metadata: a {@code VersionEdit}
 * logged to the MANIFEST and applied to the current {@code Version}, then a new {@code SuperVersion}
 * that readers take without a lock. Small scenarios of puts, gets, flushes and compactions on two
 * threads are explored interleaving by interleaving (a thread switch at every access to the store's
 * state and at its lock; the store runs its background work on the callers' threads, so every
 * flush and compaction is one of the scenario's threads). Two things are checked: every history is
 * the outcome of some sequential order of the same operations on a map (a flush or a compaction
 * changes no answer: a get beside them sees the key in a memtable or in a table, never in neither),
 * and after each scenario the metadata the movers published agrees with the files: the store closed
 * and opened again from its MANIFEST and logs answers every key as the open store did. It catches an
 * edit built from the version a job started from rather than applied to the current one (a
 * compaction that publishes after a flush drops the flush's table), a version or memtable list
 * published before the table it names is written, and a reader that takes its memtables and its
 * version at two moments.
 *
 * <p>Deterministic: three scenarios written out below, then one that Lincheck 2.x draws from its
 * fixed seed, each explored over a fixed count of interleavings. Storage, tables, blocks, logs, the
 * MANIFEST's file and the memtables are each one step (they lock themselves or are immutable): the
 * interleavings explored are the store's own.
 */
@Tag("hidden")
@Param(name = "key", gen = IntGen.class, conf = "1:2")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class LsmStoreLincheckHiddenTest {

    /** Out of Lincheck's walk of this object, which fails on the store's records. */
    private final Supplier<FaultInjectingStorage> storage;

    private final Supplier<LsmStore> store;

    public LsmStoreLincheckHiddenTest() throws IOException {
        // The store's ReentrantLock and Condition too: a lock the model checker does not control
        // blocks for real. The store's write and read paths, where a put's and a get's steps are.
        // And the records with static fields that a put, get, flush, compaction or reopen reads
        // (InternalKey.ORDER, the footer's offsets, a lookup's constants, an empty recovery
        // report): Lincheck's own first encounter with one fails the run.
        LincheckSupport.instrument(
                LsmStore.class, ReentrantLock.class, AbstractQueuedSynchronizer.class, LockSupport.class);
        for (String name : List.of(
                "lsm.StoreWriter",
                "lsm.StoreReader",
                "lsm.InternalKey",
                "lsm.Footer",
                "lsm.BlockHandle",
                "lsm.Compaction",
                "lsm.LsmOptions",
                "lsm.MemTable",
                "lsm.Table",
                "lsm.TableBuilder",
                "lsm.TableProperties",
                "kv.Entry",
                "events.EngineEvent",
                "sortedlog.RecoveryReport")) {
            try {
                LincheckSupport.instrument(Class.forName("dev.storagelab." + name));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("dev.storagelab." + name + " is missing", e);
            }
        }
        FaultInjectingStorage memory = new FaultInjectingStorage();
        storage = LincheckSupport.unwalked(memory);
        store = LincheckSupport.unwalked(LsmStore.open(memory, options()));
    }

    /** Small tables, no background threads: every flush and compaction runs on a scenario's thread. */
    private static LsmOptions options() {
        return LsmOptions.tiny();
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) throws IOException {
        store.get().put(key(key), value(value));
    }

    @Operation
    public Integer get(@Param(name = "key") int key) throws IOException {
        return decode(store.get().get(key(key)));
    }

    /** Freezes the memtable and writes it to a level-0 table, publishing the table. */
    @Operation
    public void flush() throws IOException {
        store.get().flush();
    }

    /** Merges every level into the one below, publishing the merged tables in place of their inputs. */
    @Operation
    public void compact() throws IOException {
        store.get().compactAll();
    }

    /**
     * The metadata the flushes and compactions published against the files: the store closed and
     * opened again (its MANIFEST's version, then its logs) answers each key as the open store does.
     */
    @Validate
    public void theStoreOpenedAgainAnswersAsTheOpenStore() throws IOException {
        Map<Integer, Integer> open = new HashMap<>();
        for (int k = 1; k <= 2; k++) {
            open.put(k, decode(store.get().get(key(k))));
        }
        store.get().close();
        Map<Integer, Integer> reopened = new HashMap<>();
        try (LsmStore again = LsmStore.open(storage.get(), options())) {
            for (int k = 1; k <= 2; k++) {
                reopened.put(k, decode(again.get(key(k))));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "the store closed after the scenario does not open again (" + e + "): a flush or compaction "
                            + "published a version naming a table that is not there, or deleted one that is",
                    e);
        }
        if (!Objects.equals(open, reopened)) {
            throw new IllegalStateException("the open store answered " + open + " for keys 1 and 2, the store "
                    + "opened again from its MANIFEST and logs answers " + reopened + ": a flush or compaction "
                    + "published a version built from a stale one (dropping another job's table), or a log was "
                    + "deleted before the table that holds its writes was published");
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "flush and compaction races: a version edit built from the version a job started from (a "
                    + "compaction publishing after a flush drops the flush's table), or a reader that finds a "
                    + "key in neither the memtables nor the tables while a flush publishes")
    void everyConcurrentHistoryIsLinearizableAndTheStoreReopensAsItWas() {
        Class<?> t = LsmStoreLincheckHiddenTest.class;
        ModelCheckingOptions options = new ModelCheckingOptions()
                // A get beside the flush that moves its key from a memtable to a table...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 1, 1)),
                        List.of(List.of(actor(t, "flush")), List.of(actor(t, "get", 1), actor(t, "get", 1))),
                        List.of()))
                // ... a compaction beside a flush that publishes a new level-0 table meanwhile...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 1, 1), actor(t, "flush"), actor(t, "put", 2, 1), actor(t, "flush")),
                        List.of(List.of(actor(t, "compact")), List.of(actor(t, "put", 1, 2), actor(t, "flush"))),
                        List.of(actor(t, "get", 1), actor(t, "get", 2))))
                // ... two flushes at once, each with its writes...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(
                                List.of(actor(t, "put", 1, 1), actor(t, "flush")),
                                List.of(actor(t, "put", 2, 2), actor(t, "flush"))),
                        List.of(actor(t, "get", 1), actor(t, "get", 2))))
                // ... then a random one.
                .iterations(1)
                .invocationsPerIteration(30)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(2)
                .actorsAfter(1)
                // The storage, the tables and their blocks, the logs, the MANIFEST's file, the
                // memtables and their skip lists are each one step: they lock themselves or are
                // immutable, and the interleavings explored are the store's own.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.io.")
                                || name.startsWith("dev.storagelab.kv.")
                                || name.startsWith("dev.storagelab.bst.")
                                || name.startsWith("dev.storagelab.bounds.")
                                || name.startsWith("dev.storagelab.events.")
                                || name.equals("dev.storagelab.lsm.Manifest")
                                || name.equals("dev.storagelab.lsm.MemTable")
                                || name.startsWith("dev.storagelab.lsm.Table")
                                || name.startsWith("dev.storagelab.lsm.Block")
                                || name.startsWith("dev.storagelab.lsm.Bloom")
                                || name.startsWith("dev.storagelab.lsm.RecordLog")
                                || name.startsWith("dev.storagelab.lsm.CompactionJob")
                                || name.equals("dev.storagelab.lsm.VersionEdit")
                                || name.equals("dev.storagelab.lsm.WriteBatch"))
                        .allMethods()
                        .treatAsAtomic())
                // A failure is reported as found: shrinking it would cost more than the whole test.
                .minimizeFailedScenario(false)
                .sequentialSpecification(Sequential.class);
        // The first run of a scenario transforms the store's classes: on a loaded machine that alone
        // can pass the 20 s after which Lincheck would report a hang.
        LincheckSupport.check(t, LincheckSupport.invocationTimeout(options, 120_000));
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

    /** The sequential specification: a map; flushes and compactions change no answer. */
    public static final class Sequential {
        private final Map<Integer, Integer> map = new HashMap<>();

        public void put(int key, int value) {
            map.put(key, value);
        }

        public Integer get(int key) {
            return map.get(key);
        }

        public void flush() {}

        public void compact() {}
    }
}
