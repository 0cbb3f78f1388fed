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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * MVCC reads and commits (lab-06 T4, T5): {@code mvccKeys} keys of 16 bytes, each written
 * {@code versionsPerKey} times (one commit per round over every key, 100-byte values), over the
 * in-memory skip list, the lab-04 B+tree or the lab-05 LSM tree (both on disk in a temporary
 * directory). Per benchmark:
 * <ul>
 *   <li>{@code getNewest}: a get at the newest snapshot: the seek lands on the key's first version;</li>
 *   <li>{@code getOldest}: a get at the first round's snapshot: the seek passes the
 *       {@code versionsPerKey - 1} newer versions without reading them, so it should cost about what
 *       {@code getNewest} costs (a walk would grow with the versions);</li>
 *   <li>{@code scanOldest100}: 100 consecutive keys at the first round's snapshot: each key's newer
 *       versions are stepped over, and past {@link MvccStore#MAX_SEQUENTIAL_SKIP} of them sought
 *       over, so the cost per key grows with the versions up to a seek and then stays;</li>
 *   <li>{@code commitTwoKeys}: a transaction that reads and writes two random keys and commits, with
 *       no log ({@link CommitLog#NONE}): the oracle's validation, the apply and the visibility
 *       advance.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MvccBenchmark {

    private static final int PROBES = 1 << 12;

    @Param({"memory", "btree", "lsm"})
    public String mvccEngine;

    @Param({"20000"})
    public int mvccKeys;

    @Param({"1", "8", "64"})
    public int versionsPerKey;

    private Path dir;
    private OrderedStore engine;
    private MvccStore store;
    private TransactionManager manager;
    private Bytes[] probes;
    private Bytes value;
    private long newestTs;
    private int next;

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        switch (mvccEngine) {
            case "memory" -> engine = new MemoryOrderedStore();
            case "btree" -> {
                dir = Files.createTempDirectory("mvcc-bench");
                engine = BPlusTree.open(DiskStorage.open(dir));
            }
            case "lsm" -> {
                dir = Files.createTempDirectory("mvcc-bench");
                engine = LsmStore.open(DiskStorage.open(dir), LsmOptions.defaults());
            }
            default -> throw new IllegalArgumentException("unknown engine " + mvccEngine + " (memory, btree, lsm)");
        }
        store = new MvccStore(engine);
        Random random = new Random(42);
        byte[] v = new byte[100];
        random.nextBytes(v);
        value = Bytes.wrap(v);
        for (int round = 1; round <= versionsPerKey; round++) {
            List<Entry> writes = new ArrayList<>(mvccKeys);
            for (int k = 0; k < mvccKeys; k++) {
                writes.add(Entry.put(key(k), value));
            }
            store.write(round, writes);
        }
        newestTs = versionsPerKey;
        manager = new TransactionManager(store, CommitLog.NONE, TransactionManager.Options.defaults().withLastCommitTs(newestTs));
        probes = new Bytes[PROBES];
        for (int i = 0; i < PROBES; i++) {
            probes[i] = key(random.nextInt(mvccKeys));
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        manager.close();
        store.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Bytes present(Optional<Bytes> v) {
        if (v.isEmpty()) {
            throw new IllegalStateException("a key written in every round was not found");
        }
        return v.get();
    }

    @Benchmark
    public Bytes getNewest() throws IOException {
        return present(store.get(probes[next++ & (PROBES - 1)], newestTs));
    }

    @Benchmark
    public Bytes getOldest() throws IOException {
        return present(store.get(probes[next++ & (PROBES - 1)], 1));
    }

    @Benchmark
    public int scanOldest100() {
        int n = 0;
        try (EntryIterator it = store.scan(probes[next++ & (PROBES - 1)], null, 1)) {
            while (n < 100 && it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Benchmark
    public long commitTwoKeys() throws IOException {
        int i = next++;
        try (Transaction t = manager.begin()) {
            Bytes a = probes[i & (PROBES - 1)];
            Bytes b = probes[(i * 31 + 7) & (PROBES - 1)];
            present(t.get(a));
            t.put(a, value);
            t.put(b, value);
            return t.commit();
        }
    }
}
