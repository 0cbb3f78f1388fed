package dev.storagelab.kvstore.hidden;

import static dev.storagelab.testkit.LincheckSupport.actor;
import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kvstore.CheckpointFile;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.kvstore.WriteAheadStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.WriteBatch;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.TimestampOracle;
import dev.storagelab.mvcc.TransactionManager;
import dev.storagelab.mvcc.VersionedKey;
import dev.storagelab.testkit.LincheckSupport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Hidden race test of lab-06 T7's checkpoint clock, with Lincheck's model checker: small concurrent
 * scenarios of puts, reads and checkpoints on a {@link KvStore} (over the B+tree), explored
 * interleaving by interleaving (a thread switch at every access to the store's, the transaction
 * manager's and the oracle's state and at their locks). Two things are checked: every history is
 * the outcome of some sequential order of the same operations (against a map), and after each
 * scenario the clock a recovery would resume after (the checkpoint's clock, or the newest commit
 * timestamp in the log after the LSN it covers) is not below the last timestamp the open store
 * assigned: a lower one would hand out a timestamp some version already has. It catches what the
 * single-threaded clock test cannot: a checkpoint that records the <em>visible</em> timestamp
 * (below a commit that is applied, so covered, but not yet visible because an earlier one is still
 * finishing), and a clock read before the write-ahead store takes the covered LSN (a commit
 * applied in between is covered, but newer than the clock).
 *
 * <p>Deterministic: one scenario written out below (a commit beside a checkpoint), explored over a
 * fixed count of interleavings; no random scenario, which would cost as much again and on this
 * store's three operations find nothing new. The log, the storage and the B+tree
 * are each one step (they lock themselves): the interleavings explored are the transactions', the
 * write-ahead store's and the checkpoint's. The store's maintenance does nothing here (no GC, no
 * checkpoint by log size); the scenarios' stores are closed when the test ends.
 */
@Tag("hidden")
@Param(name = "key", gen = IntGen.class, conf = "1:2")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class CheckpointClockLincheckHiddenTest {

    /**
     * Every scenario's store, closed when the test ends (each owns a maintenance thread). Out of
     * Lincheck's walk, which reads static fields too.
     */
    private static final Supplier<List<KvStore>> STORES = LincheckSupport.unwalked(new CopyOnWriteArrayList<>());

    static {
        warmUp();
    }

    /** Out of Lincheck's walk of this object, which fails on the store's records. */
    private final Supplier<FaultInjectingStorage> storage;

    private final Supplier<KvStore> store;

    public CheckpointClockLincheckHiddenTest() throws IOException {
        // The records with static fields that the code under test builds, and the JDK lock and
        // condition (the walk that would instrument them does not reach them).
        LincheckSupport.instrument(
                KvStore.class,
                WriteAheadStore.class,
                TransactionManager.class,
                TimestampOracle.class,
                MvccStore.class,
                CheckpointFile.class,
                VersionedKey.class,
                KvOptions.class,
                TransactionManager.Options.class,
                ReentrantLock.class,
                AbstractQueuedSynchronizer.class,
                LockSupport.class);
        FaultInjectingStorage memory = new FaultInjectingStorage();
        KvStore kv = KvStore.open(
                memory,
                KvOptions.defaults()
                        .withBtree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(64))
                        .withGcInterval(Duration.ZERO)
                        .withCheckpointLogBytes(Long.MAX_VALUE));
        STORES.get().add(kv);
        storage = LincheckSupport.unwalked(memory);
        store = LincheckSupport.unwalked(kv);
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
        store.get().checkpoint();
    }

    /**
     * The clock a recovery would resume after: the checkpoint's clock, or the newest commit
     * timestamp among the log records after the LSN it covers, whichever is larger. It must reach
     * the last timestamp the open store assigned (every commit here logged and applied).
     */
    @Validate
    public void recoveryResumesTheClockAfterEveryAssignedTimestamp() throws IOException {
        CheckpointFile checkpoint = CheckpointFile.read(storage.get());
        byte[] meta = checkpoint.meta();
        long checkpointClock = meta.length == 0 ? 0 : ByteBuffer.wrap(meta).getLong();
        long[] resumed = {checkpointClock};
        store.get().writeAheadStore().wal().replay(checkpoint.coveredLsn(), (lsn, payload) -> {
            for (Entry e :
                    WriteBatch.decode(payload, "log record " + lsn, 0).batch().operations()) {
                resumed[0] = Math.max(resumed[0], VersionedKey.decode(e.key()).commitTs());
            }
        });
        long assigned = store.get().transactions().oracle().lastAssignedTs();
        if (resumed[0] < assigned) {
            throw new IllegalStateException(
                    "a recovery would resume the clock after " + resumed[0] + " (the checkpoint "
                            + "covering LSN " + checkpoint.coveredLsn() + " recorded clock " + checkpointClock
                            + ") but timestamp "
                            + assigned
                            + " was assigned: the checkpoint's clock is below a commit it covers, and the next commit "
                            + "after a crash would reuse a timestamp");
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "checkpoint clock races: the clock recorded with a checkpoint is below a commit the "
                    + "checkpoint covers (read too early, or the visible timestamp instead of the last assigned one)")
    void everyConcurrentHistoryIsLinearizableAndRecoveryResumesTheClock() {
        Class<?> t = CheckpointClockLincheckHiddenTest.class;
        ModelCheckingOptions options = new ModelCheckingOptions()
                // A commit beside a checkpoint: the checkpoint can fall anywhere in the commit (between
                // its timestamp and its log record, its apply and its visibility), and the commit
                // anywhere in the checkpoint (between its clock and its covered LSN).
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "put", 1, 1)), List.of(actor(t, "checkpoint"))),
                        List.of(actor(t, "get", 1))))
                .iterations(0)
                .invocationsPerIteration(40)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                // The log, the storage and the engine are each one step (they lock themselves and call
                // nothing back); the write-ahead store is not: its checkpoint asks KvStore for the clock.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.wal.")
                                || name.startsWith("dev.storagelab.io.")
                                || name.startsWith("dev.storagelab.lsm.")
                                || name.startsWith("dev.storagelab.btree.")
                                || name.startsWith("dev.storagelab.bounds.")
                                || name.startsWith("dev.storagelab.kvstore.Engine")
                                || name.equals(CheckpointFile.class.getName()))
                        .allMethods()
                        .treatAsAtomic())
                // A failure is reported as found: shrinking it would cost more than the whole test.
                .minimizeFailedScenario(false)
                .sequentialSpecification(Sequential.class);
        // The first run of a scenario transforms the store's classes: on a loaded machine that alone
        // can pass the 20 s after which Lincheck would report a hang.
        try {
            LincheckSupport.check(
                    CheckpointClockLincheckHiddenTest.class, LincheckSupport.invocationTimeout(options, 120_000));
        } finally {
            closeStores();
        }
    }

    /**
     * Closes the scenarios' stores, on a thread of its own: a scenario Lincheck abandoned (a hang)
     * can leave a store's lock held, and its close would wait for ever. Waits 10 s at most.
     */
    private static void closeStores() {
        Thread closer = new Thread(
                () -> {
                    for (KvStore s : STORES.get()) {
                        try {
                            s.close();
                        } catch (IOException | RuntimeException e) {
                            // cleanup only: the scenario's verdict is already given
                        }
                    }
                    STORES.get().clear();
                },
                "close-scenario-stores");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Loads every class a scenario and its validation use, before Lincheck's agent is installed:
     * loaded inside a run, the store's, the B+tree's and the log's classes would be transformed
     * during the first scenario, which on a loaded machine takes longer than Lincheck's 20 s
     * deadline for one run of a scenario (it then reports a hang).
     */
    private static void warmUp() {
        try {
            CheckpointClockLincheckHiddenTest test = new CheckpointClockLincheckHiddenTest();
            test.put(1, 1);
            test.get(1);
            test.checkpoint();
            test.put(2, 2);
            test.recoveryResumesTheClockAfterEveryAssignedTimestamp();
            closeStores();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
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
