package dev.storagelab.mvcc.bench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.mvcc.CommitLog;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionManager;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a long-running reader costs (lab-06 T6): {@code mvccKeys} keys are loaded, a reader
 * transaction begins and stays open, {@code readerAgeCommits} transactions overwrite one skewed key
 * each (key index {@code keys * u^4}, u uniform: a few hot keys take most overwrites), and then a
 * garbage collection runs, which the reader holds back (with {@code readerAgeCommits = 0} there is
 * no reader and nothing to hold back). Setup prints the versions left and their bytes. Per
 * benchmark:
 * <ul>
 *   <li>{@code getHotNewest}: a get of a skewed key at the newest snapshot: one seek, whatever the
 *       versions behind it;</li>
 *   <li>{@code scanNewest100}: 100 consecutive keys at the newest snapshot: the stale versions of
 *       each key are stepped over (and past a few, sought over), so this grows with the reader's age.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LongReaderBenchmark {

    private static final int PROBES = 1 << 12;

    @Param({"memory", "btree", "lsm"})
    public String mvccEngine;

    @Param({"20000"})
    public int mvccKeys;

    @Param({"0", "20000", "200000"})
    public int readerAgeCommits;

    private Path dir;
    private MvccStore store;
    private TransactionManager manager;
    private Transaction reader;
    private Bytes[] probes;
    private int next;

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    private int skewed(Random random) {
        double u = random.nextDouble();
        return (int) (mvccKeys * u * u * u * u);
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = mvccEngine.equals("memory") ? null : BenchData.tempDir("mvcc-reader");
        BenchData.setUpIn(dir, () -> {
            OrderedStore engine;
            switch (mvccEngine) {
                case "memory" -> engine = new MemoryOrderedStore();
                case "btree" -> engine = BPlusTree.open(DiskStorage.open(dir));
                case "lsm" -> engine = LsmStore.open(DiskStorage.open(dir), LsmOptions.defaults());
                default -> throw new IllegalArgumentException("unknown engine " + mvccEngine + " (memory, btree, lsm)");
            }
            store = new MvccStore(engine);
            manager = new TransactionManager(store, CommitLog.NONE);
            Random random = new Random(42);
            Bytes value = Bytes.wrap(new byte[100]);
            List<Entry> initial = new ArrayList<>(mvccKeys);
            for (int k = 0; k < mvccKeys; k++) {
                initial.add(Entry.put(key(k), value));
            }
            store.write(0, initial);
            if (readerAgeCommits > 0) {
                reader = manager.begin();
            }
            for (int n = 0; n < readerAgeCommits; n++) {
                try (Transaction t = manager.begin()) {
                    t.put(key(skewed(random)), value);
                    t.commit();
                }
            }
            MvccStore.GcResult gc = manager.collectGarbage();
            long versions = 0;
            long bytes = 0;
            try (EntryIterator it = engine.scan(null, null)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    versions++;
                    bytes += e.key().length() + e.value().length();
                }
            }
            System.out.printf(
                    "%nlong reader of age %d commits over %s: %d versions of %d keys (%.2f per key), %d key+value bytes; "
                            + "the collection removed %d%n",
                    readerAgeCommits,
                    mvccEngine,
                    versions,
                    mvccKeys,
                    (double) versions / mvccKeys,
                    bytes,
                    gc.versionsRemoved());
            probes = new Bytes[PROBES];
            for (int i = 0; i < PROBES; i++) {
                probes[i] = key(skewed(random));
            }
        });
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
        manager.close();
        store.close();
        BenchData.delete(dir);
    }

    @Benchmark
    public Bytes getHotNewest() throws IOException {
        return store.get(probes[next++ & (PROBES - 1)], manager.visibleTs())
                .orElseThrow(() -> new IllegalStateException("a loaded key was not found"));
    }

    @Benchmark
    public int scanNewest100() {
        int n = 0;
        try (EntryIterator it = store.scan(probes[next++ & (PROBES - 1)], null, manager.visibleTs())) {
            while (n < 100 && it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
