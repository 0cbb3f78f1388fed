package dev.storagelab.hybrid.bench;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.wal.SyncMode;
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
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HybridBenchmark {

    private static final int PROBES = 1 << 12;

    @Param({"20000"})
    public int hybridKeys;

    private Path dir;
    private HybridStore store;
    private Bytes[] probes;
    private Bytes value;
    private int next;

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = Files.createTempDirectory("hybrid-bench");
        store = HybridStore.open(dir, HybridOptions.builder().cache("arc", 0).syncMode(SyncMode.NONE)
                .maintenance(java.time.Duration.ofSeconds(1), false).build());
        Random random = new Random(42);
        byte[] v = new byte[100];
        random.nextBytes(v);
        value = Bytes.wrap(v);
        List<Entry> batch = new ArrayList<>();
        for (int k = 0; k < hybridKeys; k++) {
            batch.add(Entry.put(key(k), value));
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
        for (int i = 0; i < PROBES; i++) {
            probes[i] = key(random.nextInt(hybridKeys));
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Bytes get() throws IOException {
        Optional<Bytes> v = store.get(probes[next++ & (PROBES - 1)]);
        if (v.isEmpty()) {
            throw new IllegalStateException("a loaded key was not found");
        }
        return v.get();
    }

    @Benchmark
    public int scan100() throws IOException {
        int n = 0;
        try (EntryIterator it = store.scan(probes[next++ & (PROBES - 1)], null)) {
            while (n < 100 && it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Benchmark
    public int batchPut100() throws IOException {
        List<Entry> batch = new ArrayList<>(100);
        for (int i = 0; i < 100; i++) {
            batch.add(Entry.put(probes[next++ & (PROBES - 1)], value));
        }
        store.write(batch);
        return batch.size();
    }
}
