package dev.storagelab.kvstore.hidden;

import static dev.storagelab.testkit.LincheckSupport.actor;
import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;

import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kvstore.CheckpointFile;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.kvstore.WriteAheadStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.WriteBatch;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.testkit.LincheckSupport;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
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
 * Hidden race test of lab-06 T3, with Lincheck's model checker: small concurrent scenarios of
 * writes, reads and checkpoints on a {@link WriteAheadStore} over an in-memory engine whose
 * checkpoint is a copy of its map, explored interleaving by interleaving (a thread switch at every
 * access to the store's own state and at its lock and condition). Two things are checked: every
 * history is the outcome of some sequential order of the same operations (against a map), and
 * after each scenario a crash and recovery would rebuild exactly the open store: the engine as its
 * last checkpoint left it, then the log records after the LSN the checkpoint record covers, in
 * order, must give every key the value the open engine holds. It catches what the stress tests
 * hit only by luck: a writer that lets the next one apply before its own batch is in the engine
 * (two writes of a key land in the engine in the wrong order, or a checkpoint covers a record the
 * engine does not hold yet), and, under {@link SyncMode#NONE}, a checkpoint that forces the log
 * before it takes the covered LSN (a record appended and applied in between is covered, but not
 * durable: after a power loss the log ends before the checkpoint, and the store cannot reopen).
 *
 * <p>Deterministic: two scenarios written out below (two writers of one key; a checkpoint beside
 * writers), then one that Lincheck 2.x draws from its fixed seed, each explored over a fixed count
 * of interleavings. The log, the storage and the engine are
 * each one step (they lock themselves): the interleavings explored are the store's own.
 */
@Tag("hidden")
@Param(name = "key", gen = IntGen.class, conf = "1:2")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class WriteAheadStoreLincheckHiddenTest {

    /** Out of Lincheck's walk of this object, which fails on the store's records. */
    private final Supplier<FaultInjectingStorage> storage;

    private final Supplier<CheckpointedEngine> engine;
    private final Supplier<WriteAheadStore> store;
    /** The log's durable LSN when the last checkpoint record was built (its meta is asked for then). */
    private volatile long durableAtCheckpointRecord = -1;

    public WriteAheadStoreLincheckHiddenTest() throws IOException {
        // The store's ReentrantLock and Condition too: the walk that would have instrumented them
        // does not reach them, and a lock the model checker does not control blocks for real.
        LincheckSupport.instrument(
                WriteAheadStore.class,
                CheckpointFile.class,
                ReentrantLock.class,
                AbstractQueuedSynchronizer.class,
                LockSupport.class);
        FaultInjectingStorage memory = new FaultInjectingStorage();
        CheckpointedEngine e = new CheckpointedEngine();
        storage = LincheckSupport.unwalked(memory);
        engine = LincheckSupport.unwalked(e);
        store = LincheckSupport.unwalked(
                WriteAheadStore.open(memory, e, WalOptions.defaults().withSyncMode(SyncMode.NONE), null));
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) throws IOException {
        store.get().put(key(key), value(value));
    }

    @Operation
    public Integer get(@Param(name = "key") int key) throws IOException {
        return decode(store.get().get(key(key)));
    }

    @Operation
    public void checkpoint() throws IOException {
        store.get().checkpoint(() -> {
            durableAtCheckpointRecord = store.get().wal().durableLsn();
            return new byte[0];
        });
    }

    /**
     * What a recovery would rebuild: the engine's last checkpoint, then every log record after the
     * covered LSN, in order. It must match the open engine key by key.
     */
    @Validate
    public void recoveryRebuildsTheOpenStore() throws IOException {
        long covered = CheckpointFile.read(storage.get()).coveredLsn();
        if (covered > durableAtCheckpointRecord && covered > 0) {
            throw new IllegalStateException("the checkpoint record covers LSN " + covered
                    + " but the log was durable only "
                    + "to LSN " + durableAtCheckpointRecord + " when it was written: after a power loss the log ends "
                    + "before the checkpoint (the covered LSN must be taken before the log is forced)");
        }
        Map<Bytes, Bytes> rebuilt = new HashMap<>(engine.get().checkpointed);
        store.get().wal().replay(covered, (lsn, payload) -> {
            for (Entry e :
                    WriteBatch.decode(payload, "log record " + lsn, 0).batch().operations()) {
                if (e.isTombstone()) {
                    rebuilt.remove(e.key());
                } else {
                    rebuilt.put(e.key(), e.value());
                }
            }
        });
        for (int k = 1; k <= 2; k++) {
            Integer open = decode(store.get().get(key(k)));
            Integer recovered = decode(Optional.ofNullable(rebuilt.get(key(k))));
            if (!Objects.equals(open, recovered)) {
                throw new IllegalStateException(
                        "the open store holds " + open + " for " + key(k) + " but a recovery (the "
                                + "engine's checkpoint, then the log after LSN " + covered + ") would give " + recovered
                                + ": batches reached the engine out of LSN order, or the checkpoint covers a record its engine "
                                + "checkpoint does not hold");
            }
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept =
                    "write-ahead store races: the engine not the log's prefix in LSN order (a writer "
                            + "lets the next one apply first), or a checkpoint covering a record that is in no engine checkpoint")
    void everyConcurrentHistoryIsLinearizableAndRecoveryRebuildsTheStore() {
        Class<?> t = WriteAheadStoreLincheckHiddenTest.class;
        ModelCheckingOptions options = new ModelCheckingOptions()
                // Two writers of one key (their batches must reach the engine in LSN order), and a
                // checkpoint beside a writer (the covered LSN against the engine and the log)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "put", 1, 1)), List.of(actor(t, "put", 1, 2))),
                        List.of(actor(t, "get", 1))))
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(actor(t, "put", 2, 1)),
                        List.of(List.of(actor(t, "checkpoint")), List.of(actor(t, "put", 1, 1), actor(t, "put", 2, 2))),
                        List.of()))
                // ... then a random one.
                .iterations(1)
                .invocationsPerIteration(30)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                // The log, the storage, the batch encoding and the engine are each one step: they
                // lock themselves, and the interleavings explored are the store's own.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.wal.")
                                || name.startsWith("dev.storagelab.io.")
                                || name.startsWith("dev.storagelab.lsm.")
                                || name.startsWith("dev.storagelab.bounds.")
                                || name.equals(MemoryOrderedStore.class.getName())
                                || name.equals(CheckpointedEngine.class.getName())
                                || name.equals(CheckpointFile.class.getName()))
                        .allMethods()
                        .treatAsAtomic())
                // A failure is reported as found: shrinking it would cost more than the whole test.
                .minimizeFailedScenario(false)
                .sequentialSpecification(Sequential.class);
        // The first run of a scenario transforms the store's classes: on a loaded machine that alone
        // can pass the 20 s after which Lincheck would report a hang.
        LincheckSupport.check(
                WriteAheadStoreLincheckHiddenTest.class, LincheckSupport.invocationTimeout(options, 120_000));
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

    /** An engine in memory whose checkpoint keeps a copy of what it holds: what a crash leaves of it. */
    static final class CheckpointedEngine extends ForwardingOrderedStore implements Engine {
        private volatile Map<Bytes, Bytes> checkpointed = Map.of();

        CheckpointedEngine() {
            super(new MemoryOrderedStore());
        }

        @Override
        public synchronized void checkpoint() throws IOException {
            Map<Bytes, Bytes> copy = new TreeMap<>();
            try (var it = delegate().scan(null, null)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    copy.put(e.key(), e.value());
                }
            }
            checkpointed = copy;
        }

        @Override
        public String kind() {
            return "memory";
        }
    }

    /** The sequential specification: a map, used by one thread at a time. */
    public static final class Sequential {
        private final Map<Integer, Integer> map = new HashMap<>();

        public void put(int key, int value) {
            map.put(key, value);
        }

        public Integer get(int key) {
            return map.get(key);
        }

        public void checkpoint() {}
    }
}
