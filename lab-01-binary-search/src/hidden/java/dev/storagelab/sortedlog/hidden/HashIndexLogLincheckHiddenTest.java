package dev.storagelab.sortedlog.hidden;

import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.LogReader;
import dev.storagelab.sortedlog.LogRecord;
import dev.storagelab.sortedlog.LogWriter;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.testkit.LincheckSupport;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.annotations.Validate;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden linearizability test of lab-01 T5's concurrent appends, with Lincheck's model checker:
 * small concurrent scenarios of puts, deletes and lookups on a {@link HashIndexLog} over the
 * in-memory {@link FaultInjectingStorage}, explored interleaving by interleaving (a thread switch
 * at every shared-memory access and lock). Two things are checked: every history is the outcome
 * of some sequential order of the same operations (against a {@link HashMap}), and after each
 * scenario the index still agrees with the log, which is what a reopen would rebuild: for every
 * key the open store serves the value of the key's newest record. It catches an index update
 * made after the lock is released (of every write, or of deletes only), which lets an older
 * record win the index in a window too narrow for the stress tests to hit, and an index entry
 * published before its record is written (which the stress tests' readers catch too).
 *
 * <p>Deterministic: Lincheck 2.x draws its scenarios from a fixed seed, and the counts of
 * scenarios and explored interleavings below are fixed.
 */
@Tag("hidden")
@Param(name = "key", gen = IntGen.class, conf = "1:2")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class HashIndexLogLincheckHiddenTest {

    /** Both out of Lincheck's walk of this object, which fails on the store's records. */
    private final Supplier<FaultInjectingStorage> storage;

    private final Supplier<HashIndexLog> log;

    public HashIndexLogLincheckHiddenTest() throws IOException {
        LincheckSupport.instrument(
                HashIndexLog.class,
                LogWriter.class,
                LogReader.class,
                CountingStorage.class,
                FaultInjectingStorage.class);
        FaultInjectingStorage memory = new FaultInjectingStorage();
        storage = LincheckSupport.unwalked(memory);
        log = LincheckSupport.unwalked(HashIndexLog.open(memory));
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) throws IOException {
        log.get().put(key(key), value(value));
    }

    @Operation
    public void delete(@Param(name = "key") int key) throws IOException {
        log.get().delete(key(key));
    }

    @Operation
    public Integer get(@Param(name = "key") int key) throws IOException {
        return decode(log.get().get(key(key)));
    }

    /**
     * The log is the truth: replayed in order, as a reopen would replay it, it gives each key's
     * newest record. The open store's index must serve that record's value for every key. (The
     * log is read with a {@link LogReader}, not by reopening a store: inside a Lincheck run,
     * building a record class with a static field, as {@code HashIndexLog.open} does, fails.)
     */
    @Validate
    public void indexServesTheNewestRecordOfEachKey() throws IOException {
        Map<Bytes, Integer> newest = new HashMap<>();
        try (LogReader reader =
                LogReader.open(storage.get(), HashIndexLog.LOG_NAME, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            for (LogRecord r = reader.next(); r != null; r = reader.next()) {
                Entry e = r.entry();
                newest.put(e.key(), e.isTombstone() ? null : decode(Optional.of(e.value())));
            }
        }
        for (int k = 1; k <= 2; k++) {
            Integer served = decode(log.get().get(key(k)));
            if (!Objects.equals(served, newest.get(key(k)))) {
                throw new IllegalStateException("the index serves " + served + " for " + key(k)
                        + " but the key's newest record in the log holds " + newest.get(key(k))
                        + ": the append and the index update were not one step under the lock");
            }
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "hash index log not linearizable under concurrent appends (an index entry "
                    + "published before its record is written, or updated outside the lock so an older record wins)")
    void everyConcurrentHistoryIsLinearizableAndTheIndexMatchesTheLog() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                // 8 scenarios, 30 interleavings each (the model checker tries those with the fewest
                // thread switches first, where these races live): 240 runs, a few seconds on an idle
                // machine and well inside the grader's per-test deadline on a busy one.
                .iterations(8)
                .invocationsPerIteration(30)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                // Latency metrics depend on the clock: recorded with no thread switch inside.
                .addGuarantee(
                        forClasses(StoreMetrics.class.getName()).allMethods().ignore())
                // Each call into the storage is one step (its files lock themselves): the
                // interleavings explored are the store's own, between its lock, index and log.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.io."))
                        .allMethods()
                        .treatAsAtomic())
                // The index too; without this the model checker sees no step at an index update,
                // so it could never run another thread between the unlock and the update.
                .addGuarantee(forClasses(ConcurrentHashMap.class.getName())
                        .allMethods()
                        .treatAsAtomic())
                .sequentialSpecification(Sequential.class);
        // Lincheck reports a hang after 20 s of one run by default: on a busy machine the first run's class
        // transformation alone can take longer, so the bound is the grader's per-test deadline.
        LincheckSupport.check(
                HashIndexLogLincheckHiddenTest.class, LincheckSupport.invocationTimeout(options, 120_000));
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

        public void delete(int key) {
            map.remove(key);
        }

        public Integer get(int key) {
            return map.get(key);
        }
    }
}
