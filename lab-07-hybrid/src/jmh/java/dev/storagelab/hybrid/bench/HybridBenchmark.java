package dev.storagelab.hybrid.bench;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * The hybrid store's own paths (lab-07 T5, T6), with the RAM cache off so the engines are reached:
 * {@code hybridKeys} keys of 16 bytes with 100-byte values, every tenth of them moved to the
 * B+tree, the rest in the LSM tree, a checkpoint after the load. Per benchmark:
 * <ul>
 *   <li>{@code get}: a random key: the tracker's record, the routing table, the engine's get, and the
 *       router's decision after it;</li>
 *   <li>{@code scan100}: 100 entries from a random key: both engines' scans filtered by route and
 *       merged newest-wins;</li>
 *   <li>{@code batchPut100}: a batch of 100 random keys (one log record, unforced), split by route
 *       into the B+tree's puts and one LSM write batch.</li>
 * </ul>
 *
 * <p>The answers are checked ({@link AnswerCheck}), so that an engine that answers wrongly fails the
 * benchmark instead of earning points. Key {@code i}'s value is derived from {@code i}, its version
 * (the number of times the benchmark has put it) and the answers' seed ({@link #value}), so the
 * benchmark knows what every key holds without a copy of the data. A get must find its key, always;
 * on the sample ({@link AnswerCheck#sampled}), with its newest value. A scan must return
 * {@code min(100, keys from its start)} entries in increasing key order from its start, always; on
 * the sample, exactly the keys from its start with their newest values. On the sample, a batch's
 * last key is read back after the batch and must hold the value the batch wrote.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HybridBenchmark {

    private static final int PROBES = 1 << 12;
    /** The entries a scan reads. */
    static final int SCAN = 100;
    /** The seed the values are drawn under: the answers' ({@value AnswerCheck#SEED_PROPERTY}, set by the grader per run). */
    private static final long ANSWERS_SEED = Long.getLong(AnswerCheck.SEED_PROPERTY, AnswerCheck.DEFAULT_SEED);

    @Param({"20000"})
    public int hybridKeys;

    private Path dir;
    private HybridStore store;
    private Bytes[] probes;
    /** The number of each probe's key. */
    private int[] probeKeys;
    /** Per key, the number of versions put since the load's. */
    int[] versions;

    private long done;

    static Bytes key(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    /** The value of version {@code version} of key {@code i}: {@link BenchData#valueBytes(long, long)} under the answers' seed. */
    static Bytes value(int i, long version) {
        return Bytes.wrap(BenchData.valueBytes(i, version ^ ANSWERS_SEED));
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchData.tempDir("hybrid");
        BenchData.setUpIn(dir, () -> {
            store = HybridStore.open(
                    dir,
                    HybridOptions.builder()
                            .cache("arc", 0)
                            .syncMode(SyncMode.NONE)
                            .maintenance(java.time.Duration.ofSeconds(1), false)
                            .build());
            Random random = new Random(42);
            versions = new int[hybridKeys];
            List<Entry> batch = new ArrayList<>();
            for (int k = 0; k < hybridKeys; k++) {
                batch.add(Entry.put(key(k), value(k, 0)));
                if (batch.size() == 1000) {
                    store.write(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                store.write(batch);
            }
            for (int k = 0; k < hybridKeys; k += 10) {
                store.move(key(k), Placement.HOT);
            }
            store.checkpoint();
            probes = new Bytes[PROBES];
            probeKeys = new int[PROBES];
            for (int i = 0; i < PROBES; i++) {
                probeKeys[i] = random.nextInt(hybridKeys);
                probes[i] = key(probeKeys[i]);
            }
        });
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        BenchData.delete(dir);
    }

    @Benchmark
    public Bytes get() throws IOException {
        int p = (int) (done & (PROBES - 1));
        return checkedGet(AnswerCheck.sampled(done++), probeKeys[p], store.get(probes[p]));
    }

    @Benchmark
    public int scan100() throws IOException {
        int p = (int) (done & (PROBES - 1));
        Entry[] got = new Entry[SCAN];
        int n = 0;
        try (EntryIterator it = store.scan(probes[p], null)) {
            while (n < SCAN && it.hasNext()) {
                got[n++] = it.next();
            }
        }
        return checkedScan(AnswerCheck.sampled(done++), probeKeys[p], probes[p], got, n);
    }

    @Benchmark
    public int batchPut100() throws IOException {
        List<Entry> batch = new ArrayList<>(SCAN);
        int last = 0;
        for (int i = 0; i < SCAN; i++) {
            int p = (int) (done * SCAN + i & (PROBES - 1));
            last = probeKeys[p];
            batch.add(Entry.put(probes[p], value(last, ++versions[last])));
        }
        store.write(batch);
        if (AnswerCheck.sampled(done++)) {
            checkedGet(true, last, store.get(key(last)));
        }
        return batch.size();
    }

    /** Checks a get of key {@code i}: found, always; on the sample, with its newest value. */
    Bytes checkedGet(boolean sampled, int i, Optional<Bytes> got) {
        AnswerCheck.require(got.isPresent(), () -> "get(" + key(i) + ") returned no value; the key was put");
        if (sampled) {
            AnswerCheck.require(
                    value(i, versions[i]).equals(got.get()),
                    () -> "get(" + key(i) + ") returned a value other" + " than the newest one put for it");
        }
        return got.get();
    }

    /**
     * Checks the {@code n} entries of a scan from key number {@code from} ({@code start}): as many
     * as the store holds from there, up to {@value #SCAN}, in increasing key order from
     * {@code start}, always; on the sample, the keys from {@code from} on, each with its newest
     * value. Returns {@code n}.
     */
    int checkedScan(boolean sampled, int from, Bytes start, Entry[] got, int n) {
        int expected = Math.min(SCAN, hybridKeys - from);
        AnswerCheck.require(
                n == expected,
                () -> "scan(" + key(from) + ") returned " + n + " entries; the store holds " + expected
                        + " from there, up to " + SCAN);
        for (int i = 0; i < n; i++) {
            Bytes previous = i == 0 ? start : got[i - 1].key();
            Bytes k = got[i].key();
            AnswerCheck.require(
                    i == 0 ? k.compareTo(previous) >= 0 : k.compareTo(previous) > 0,
                    () -> "scan(" + start
                            + ") returned " + k + (previous == start ? " first" : " after " + previous)
                            + "; a scan's keys increase"
                            + " from its start");
        }
        if (sampled) {
            for (int i = 0; i < n; i++) {
                int at = from + i;
                Entry e = got[i];
                AnswerCheck.require(
                        key(at).equals(e.key()),
                        () -> "scan(" + key(from) + ") returned " + e.key() + " at position " + (at - from)
                                + "; the store holds " + key(at) + " there");
                AnswerCheck.require(
                        value(at, versions[at]).equals(e.value()),
                        () -> "scan(" + key(from) + ") returned " + e.key()
                                + " with a value other than the newest one put for it");
            }
        }
        return n;
    }
}
